//! Crier's work queue: one per reporter, holding the names of ProwJobs to look at. A name is
//! queued at most once, is handed to one worker at a time, and can be put back after a delay.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet, VecDeque};
use std::sync::Mutex;
use std::time::Duration;

use tokio::sync::Notify;
use tokio::time::Instant;

/// A deduplicating work queue with delayed adds and per-item failure counts, in the manner
/// of a Kubernetes controller's rate-limited work queue.
pub(super) struct WorkQueue {
    inner: Mutex<Inner>,
    /// Wakes workers waiting for an item.
    ready: Notify,
    /// Wakes the timer that moves delayed items into the queue.
    timer: Notify,
    backoff_base: Duration,
    backoff_max: Duration,
}

#[derive(Default)]
struct Inner {
    /// Names ready to be handed out, oldest first.
    ready: VecDeque<String>,
    /// Names waiting to be handed out (in `ready`, or to go back in once processed).
    dirty: HashSet<String>,
    /// Names a worker holds.
    processing: HashSet<String>,
    /// When each delayed name is due (the earliest asked for).
    waiting: HashMap<String, Instant>,
    /// The delayed names by due time; entries `waiting` no longer agrees with are stale.
    due: BinaryHeap<Reverse<(Instant, String)>>,
    /// Failures in a row per name, for the backoff.
    failures: HashMap<String, u32>,
    shut_down: bool,
}

impl WorkQueue {
    pub(super) fn new(backoff_base: Duration, backoff_max: Duration) -> Self {
        WorkQueue {
            inner: Mutex::new(Inner::default()),
            ready: Notify::new(),
            timer: Notify::new(),
            backoff_base,
            backoff_max,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Queues `name` unless it is queued already; a name being processed is queued again
    /// once its worker is done.
    pub(super) fn add(&self, name: &str) {
        let mut inner = self.lock();
        if inner.add(name) {
            drop(inner);
            self.ready.notify_one();
        }
    }

    /// Queues `name` after `delay`.
    pub(super) fn add_after(&self, name: &str, delay: Duration) {
        if delay.is_zero() {
            self.add(name);
            return;
        }
        let at = Instant::now() + delay;
        let mut inner = self.lock();
        if inner.shut_down {
            return;
        }
        if inner.waiting.get(name).is_some_and(|&due| due <= at) {
            return;
        }
        inner.waiting.insert(name.to_owned(), at);
        inner.due.push(Reverse((at, name.to_owned())));
        drop(inner);
        self.timer.notify_one();
    }

    /// Queues `name` again after its backoff, and counts the failure.
    pub(super) fn add_rate_limited(&self, name: &str) -> Duration {
        let delay = {
            let mut inner = self.lock();
            let failures = inner.failures.entry(name.to_owned()).or_insert(0);
            let exp = (*failures).min(40);
            *failures = failures.saturating_add(1);
            self.backoff_base
                .checked_mul(1u32 << exp.min(31))
                .unwrap_or(self.backoff_max)
                .min(self.backoff_max)
        };
        self.add_after(name, delay);
        delay
    }

    /// Clears `name`'s failure count.
    pub(super) fn forget(&self, name: &str) {
        self.lock().failures.remove(name);
    }

    /// The next name to process; `None` once the queue is shut down.
    pub(super) async fn get(&self) -> Option<String> {
        loop {
            let notified = self.ready.notified();
            tokio::pin!(notified);
            // Registered before the check, so a shutdown in between still wakes us.
            notified.as_mut().enable();
            {
                let mut inner = self.lock();
                if inner.shut_down {
                    return None;
                }
                if let Some(name) = inner.ready.pop_front() {
                    inner.dirty.remove(&name);
                    inner.processing.insert(name.clone());
                    let more = !inner.ready.is_empty();
                    drop(inner);
                    if more {
                        // A permit may have stood for several adds: pass the wake-up on.
                        self.ready.notify_one();
                    }
                    return Some(name);
                }
            }
            notified.await;
        }
    }

    /// Marks `name` processed; queues it again when it was added meanwhile.
    pub(super) fn done(&self, name: &str) {
        let mut inner = self.lock();
        inner.processing.remove(name);
        if inner.dirty.contains(name) && !inner.shut_down {
            inner.ready.push_back(name.to_owned());
            drop(inner);
            self.ready.notify_one();
        }
    }

    /// Stops handing out names; workers finish what they hold.
    pub(super) fn shut_down(&self) {
        self.lock().shut_down = true;
        self.ready.notify_waiters();
        self.timer.notify_one();
    }

    /// Moves due delayed names into the queue until shut down.
    pub(super) async fn run_timer(&self) {
        loop {
            let notified = self.timer.notified();
            let next = {
                let mut inner = self.lock();
                if inner.shut_down {
                    return;
                }
                let now = Instant::now();
                let mut woke = false;
                while let Some(Reverse((at, _))) = inner.due.peek() {
                    if *at > now {
                        break;
                    }
                    let Some(Reverse((at, name))) = inner.due.pop() else {
                        break;
                    };
                    if inner.waiting.get(&name) == Some(&at) {
                        inner.waiting.remove(&name);
                        woke |= inner.add(&name);
                    }
                }
                let next = inner.due.peek().map(|Reverse((at, _))| *at);
                drop(inner);
                if woke {
                    self.ready.notify_one();
                }
                next
            };
            match next {
                Some(at) => {
                    tokio::select! {
                        _ = tokio::time::sleep_until(at) => {}
                        _ = notified => {}
                    }
                }
                None => notified.await,
            }
        }
    }
}

impl Inner {
    /// Adds `name`; true when it went into the ready queue.
    fn add(&mut self, name: &str) -> bool {
        if self.shut_down || self.dirty.contains(name) {
            return false;
        }
        self.dirty.insert(name.to_owned());
        if self.processing.contains(name) {
            return false;
        }
        self.ready.push_back(name.to_owned());
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn queue() -> WorkQueue {
        WorkQueue::new(Duration::from_millis(5), Duration::from_secs(1000))
    }

    #[tokio::test]
    async fn a_name_is_queued_once() {
        let q = queue();
        q.add("a");
        q.add("b");
        q.add("a");
        assert_eq!(q.get().await.as_deref(), Some("a"));
        assert_eq!(q.get().await.as_deref(), Some("b"));
        q.shut_down();
        assert_eq!(q.get().await, None);
    }

    #[tokio::test]
    async fn a_name_added_while_processed_comes_back_when_done() {
        let q = queue();
        q.add("a");
        let got = q.get().await.unwrap();
        q.add("a");
        q.add("b");
        // "a" is held by a worker: only "b" is handed out.
        assert_eq!(q.get().await.as_deref(), Some("b"));
        q.done(&got);
        assert_eq!(q.get().await.as_deref(), Some("a"));
    }

    #[tokio::test(start_paused = true)]
    async fn delayed_names_come_due_in_order() {
        let q = Arc::new(queue());
        let timer = tokio::spawn({
            let q = Arc::clone(&q);
            async move { q.run_timer().await }
        });
        let start = Instant::now();
        q.add_after("late", Duration::from_secs(20));
        q.add_after("early", Duration::from_secs(10));
        q.add_after("late", Duration::from_secs(30)); // later than already asked: ignored
        assert_eq!(q.get().await.as_deref(), Some("early"));
        assert_eq!(start.elapsed(), Duration::from_secs(10));
        assert_eq!(q.get().await.as_deref(), Some("late"));
        assert_eq!(start.elapsed(), Duration::from_secs(20));
        q.shut_down();
        timer.await.unwrap();
    }

    #[tokio::test]
    async fn backoff_doubles_up_to_the_cap_and_forget_resets_it() {
        let q = WorkQueue::new(Duration::from_millis(5), Duration::from_millis(30));
        let delays: Vec<_> = (0..5).map(|_| q.add_rate_limited("a")).collect();
        let ms = |n| Duration::from_millis(n);
        assert_eq!(delays, [ms(5), ms(10), ms(20), ms(30), ms(30)]);
        q.forget("a");
        assert_eq!(q.add_rate_limited("a"), ms(5));
    }
}
