//! Finding and reading the files of a configuration: the job-config directory walk with
//! `.prowignore`, and parsing many files on all cores.

use std::path::{Path, PathBuf};

use super::Diagnostic;
use super::ignore::{PROW_IGNORE_FILE_NAME, ProwIgnore};

/// The job-config files below `root` (a file or a directory), in upstream's order (a
/// lexical walk), skipping `..`-prefixed entries (Kubernetes ConfigMap mounts), files that
/// are not `.yaml`/`.yml`, and what `.prowignore` at the root ignores. Files that share a
/// base name are refused, as upstream refuses them.
pub(crate) fn job_config_files(root: &Path, errors: &mut Vec<Diagnostic>) -> Vec<PathBuf> {
    let metadata = match std::fs::metadata(root) {
        Ok(m) => m,
        Err(e) => {
            errors.push(Diagnostic::file(
                root,
                format!("cannot read job config: {e}"),
            ));
            return Vec::new();
        }
    };
    if !metadata.is_dir() {
        return vec![root.to_path_buf()];
    }
    let mut files = Vec::new();
    let mut ignores = Vec::new();
    walk(root, &mut ignores, &mut files, errors);
    let mut seen = std::collections::HashSet::new();
    files.retain(|path| {
        let base = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        if seen.insert(base.clone()) {
            true
        } else {
            errors.push(Diagnostic::file(
                path,
                format!("duplicated basename is not allowed: {base}"),
            ));
            false
        }
    });
    files
}

/// The `.prowignore` files in force while walking: each with the directory it sits in.
type IgnoreStack = Vec<(PathBuf, ProwIgnore)>;

fn read_ignore_file(dir: &Path, errors: &mut Vec<Diagnostic>) -> Option<ProwIgnore> {
    let path = dir.join(PROW_IGNORE_FILE_NAME);
    let text = std::fs::read_to_string(&path).ok()?;
    match ProwIgnore::parse(&text) {
        Ok(ignore) => Some(ignore),
        Err(e) => {
            errors.push(Diagnostic::file(
                &path,
                format!("failed to create `{PROW_IGNORE_FILE_NAME}` parser: {e}"),
            ));
            None
        }
    }
}

fn is_ignored(ignores: &IgnoreStack, path: &Path, is_dir: bool) -> bool {
    ignores.iter().fold(false, |ignored, (dir, ignore)| {
        let relative = path
            .strip_prefix(dir)
            .unwrap_or(path)
            .to_string_lossy()
            .replace('\\', "/");
        ignore.apply(&relative, is_dir, ignored)
    })
}

fn walk(
    dir: &Path,
    ignores: &mut IgnoreStack,
    files: &mut Vec<PathBuf>,
    errors: &mut Vec<Diagnostic>,
) {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            errors.push(Diagnostic::file(dir, format!("cannot read directory: {e}")));
            return;
        }
    };
    let pushed = match read_ignore_file(dir, errors) {
        Some(ignore) => {
            ignores.push((dir.to_path_buf(), ignore));
            true
        }
        None => false,
    };
    let mut entries: Vec<_> = entries.filter_map(Result::ok).collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with("..") {
            continue;
        }
        let path = entry.path();
        // Follow symlinks, as a ConfigMap mount needs.
        let is_dir = std::fs::metadata(&path)
            .map(|m| m.is_dir())
            .unwrap_or(false);
        if is_ignored(ignores, &path, is_dir) {
            continue;
        }
        if is_dir {
            walk(&path, ignores, files, errors);
        } else if name.ends_with(".yaml") || name.ends_with(".yml") {
            files.push(path);
        }
    }
    if pushed {
        ignores.pop();
    }
}

/// Reads and handles every file on all available cores, keeping the input order in the
/// output.
pub(crate) fn read_all<T: Send>(
    paths: &[PathBuf],
    handle: impl Fn(&Path, Result<String, std::io::Error>) -> T + Sync,
) -> Vec<T> {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(paths.len().max(1));
    if threads <= 1 {
        return paths
            .iter()
            .map(|p| handle(p, std::fs::read_to_string(p)))
            .collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut results: Vec<(usize, T)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(path) = paths.get(i) else { break };
                        done.push((i, handle(path, std::fs::read_to_string(path))));
                    }
                    done
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("config reader thread panicked"))
            .collect()
    });
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, t)| t).collect()
}

/// Runs `f` on every item on all available cores, each thread with its own state made by
/// `init`; the results keep the items' order.
pub(crate) fn par_map_mut<T: Send, S, R: Send>(
    items: &mut [T],
    init: impl Fn() -> S + Sync,
    f: impl Fn(&mut S, &mut T) -> R + Sync,
) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(items.len().max(1));
    if threads <= 1 {
        let mut state = init();
        return items.iter_mut().map(|item| f(&mut state, item)).collect();
    }
    // Interleave the items over the threads so each gets a share of big and small files.
    let queue = std::sync::Mutex::new(items.iter_mut().enumerate());
    let mut results: Vec<(usize, R)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut state = init();
                    let mut done = Vec::new();
                    loop {
                        let next = queue.lock().expect("work queue lock").next();
                        let Some((i, item)) = next else { break };
                        done.push((i, f(&mut state, item)));
                    }
                    done
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("config worker thread panicked"))
            .collect()
    });
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}
