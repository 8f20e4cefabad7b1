//! A bounded memory of the `X-GitHub-Delivery` ids handed on recently, to recognise GitHub's
//! redeliveries (and replays of a captured request) without a store.

use std::collections::{HashSet, VecDeque};
use std::sync::{Arc, Mutex, PoisonError};

/// The last `capacity` delivery ids claimed, oldest forgotten first.
#[derive(Debug)]
pub(crate) struct RecentDeliveries {
    capacity: usize,
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    ids: HashSet<Arc<str>>,
    order: VecDeque<Arc<str>>,
}

impl RecentDeliveries {
    /// Remembers up to `capacity` ids; 0 remembers none.
    pub(crate) fn new(capacity: usize) -> Self {
        RecentDeliveries {
            capacity,
            inner: Mutex::default(),
        }
    }

    /// Records `id`; `false` when it was already recorded (a redelivery).
    pub(crate) fn claim(&self, id: &str) -> bool {
        if self.capacity == 0 {
            return true;
        }
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        if inner.ids.contains(id) {
            return false;
        }
        if inner.order.len() >= self.capacity
            && let Some(oldest) = inner.order.pop_front()
        {
            inner.ids.remove(&oldest);
        }
        let id: Arc<str> = Arc::from(id);
        inner.ids.insert(Arc::clone(&id));
        inner.order.push_back(id);
        true
    }

    /// Forgets `id` (its hand-off failed, so a redelivery must be handed on).
    pub(crate) fn release(&self, id: &str) {
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        if inner.ids.remove(id)
            && let Some(at) = inner.order.iter().rposition(|seen| &**seen == id)
        {
            inner.order.remove(at);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeats_are_recognised_within_the_window() {
        let recent = RecentDeliveries::new(2);
        assert!(recent.claim("a"));
        assert!(!recent.claim("a"));
        assert!(recent.claim("b"));
        assert!(recent.claim("c")); // forgets "a"
        assert!(recent.claim("a"));
        assert!(!recent.claim("c"));
    }

    #[test]
    fn released_ids_can_be_claimed_again() {
        let recent = RecentDeliveries::new(2);
        assert!(recent.claim("a"));
        assert!(recent.claim("b"));
        recent.release("a");
        assert!(recent.claim("a"));
        assert!(!recent.claim("b"));
        assert_eq!(recent.inner.lock().unwrap().order.len(), 2);
    }

    #[test]
    fn zero_capacity_remembers_nothing() {
        let recent = RecentDeliveries::new(0);
        assert!(recent.claim("a"));
        assert!(recent.claim("a"));
    }
}
