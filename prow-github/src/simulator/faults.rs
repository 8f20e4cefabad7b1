//! Fault knobs: latency, deterministic server errors and GitHub's primary and secondary rate
//! limits, applied to every call made through a client face of the simulator and settable at
//! any time.

use std::time::Duration;

use prow_core::github::GitHubError;
use tokio::time::Instant;

/// How the simulator misbehaves towards its clients. The default misbehaves not at all.
///
/// Every knob is deterministic: failures come every Nth call or for the next N calls, and rate
/// limits count calls in windows of tokio time (so `tokio::time::pause` and `advance` drive
/// them in tests).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Faults {
    /// Added to every call (slept with `tokio::time::sleep`).
    pub latency: Duration,
    /// Every Nth call fails with `failure_status` (0: never). Counted from when the faults
    /// were set.
    pub fail_every: u64,
    /// The next N calls fail with `failure_status`; counts down as they do.
    pub fail_next: u64,
    /// The HTTP status of injected failures (`502` unless set).
    pub failure_status: u16,
    /// The methods (`create_comment`, `merge`, ...) `fail_every` and `fail_next` apply to;
    /// empty: all of them.
    pub methods: Vec<String>,
    /// GitHub's primary rate limit: a budget of calls per window.
    pub primary_rate_limit: Option<PrimaryRateLimit>,
    /// GitHub's secondary rate limit on content creation: a budget of mutating calls per
    /// window, refused with a `Retry-After`.
    pub secondary_rate_limit: Option<SecondaryRateLimit>,
}

impl Default for Faults {
    fn default() -> Self {
        Faults {
            latency: Duration::ZERO,
            fail_every: 0,
            fail_next: 0,
            failure_status: 502,
            methods: Vec::new(),
            primary_rate_limit: None,
            secondary_rate_limit: None,
        }
    }
}

/// A budget of `limit` calls per `window`; further calls are refused with
/// [`GitHubError::RateLimited`] carrying the seconds until the window resets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PrimaryRateLimit {
    /// Calls allowed per window.
    pub limit: u64,
    /// How long a window lasts (GitHub's is an hour).
    pub window: Duration,
}

/// A budget of `limit` mutating calls per `window`; further ones are refused with
/// [`GitHubError::RateLimited`] carrying `retry_after`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SecondaryRateLimit {
    /// Mutating calls allowed per window.
    pub limit: u64,
    /// How long a window lasts.
    pub window: Duration,
    /// The `Retry-After` GitHub answers with.
    pub retry_after: Duration,
}

/// Where the primary rate limit stands, for `X-RateLimit-*` headers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimitStatus {
    /// Calls allowed per window.
    pub limit: u64,
    /// Calls left in this window.
    pub remaining: u64,
    /// Time until the window resets.
    pub reset_in: Duration,
}

/// A window of a rate limit: when it started and how much of it is used.
#[derive(Clone, Copy, Debug)]
struct Window {
    start: Instant,
    used: u64,
}

impl Window {
    /// The window in force at `now`: this one, or a fresh one once it has run out.
    fn current(slot: &mut Option<Window>, now: Instant, length: Duration) -> &mut Window {
        let window = slot.get_or_insert(Window {
            start: now,
            used: 0,
        });
        if now >= window.start + length {
            *window = Window {
                start: now,
                used: 0,
            };
        }
        window
    }
}

/// Which knob refused a call: the HTTP face answers each differently (`X-RateLimit-*` for the
/// primary rate limit, `Retry-After` for the secondary one, the status for an injected failure).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// The primary rate limit was used up.
    Primary,
    /// The secondary rate limit was used up.
    Secondary,
    /// `fail_every` or `fail_next` struck.
    Injected,
}

tokio::task_local! {
    /// Set by the HTTP face around each request: the knob that refused one of its calls, so the
    /// reply can say which limit was hit. Calls outside such a scope record nothing.
    pub(crate) static REFUSAL: std::cell::Cell<Option<Refusal>>;
}

/// The counters behind the knobs.
#[derive(Clone, Debug, Default)]
pub(crate) struct FaultState {
    /// Calls counted towards `fail_every`.
    counted: u64,
    primary: Option<Window>,
    secondary: Option<Window>,
}

/// Whole seconds until `end`, at least one.
fn seconds_until(now: Instant, end: Instant) -> u64 {
    let left = end.saturating_duration_since(now);
    (left.as_millis().div_ceil(1000) as u64).max(1)
}

impl FaultState {
    /// Decides whether the call to `method` goes through, counting it; a refusal says which
    /// knob refused.
    pub(crate) fn admit(
        &mut self,
        faults: &mut Faults,
        method: &str,
        mutating: bool,
    ) -> Result<(), (Refusal, GitHubError)> {
        let now = Instant::now();
        if let Some(limit) = faults.primary_rate_limit {
            let window = Window::current(&mut self.primary, now, limit.window);
            if window.used >= limit.limit {
                return Err((
                    Refusal::Primary,
                    GitHubError::RateLimited {
                        retry_after_seconds: Some(seconds_until(now, window.start + limit.window)),
                    },
                ));
            }
            window.used += 1;
        }
        if mutating && let Some(limit) = faults.secondary_rate_limit {
            let window = Window::current(&mut self.secondary, now, limit.window);
            if window.used >= limit.limit {
                return Err((
                    Refusal::Secondary,
                    GitHubError::RateLimited {
                        retry_after_seconds: Some(limit.retry_after.as_secs().max(1)),
                    },
                ));
            }
            window.used += 1;
        }
        let applies = faults.methods.is_empty() || faults.methods.iter().any(|m| m == method);
        if !applies {
            return Ok(());
        }
        let failure = || GitHubError::Status {
            status: faults.failure_status,
            message: format!("simulated failure of {method}"),
        };
        if faults.fail_next > 0 {
            let err = failure();
            faults.fail_next -= 1;
            return Err((Refusal::Injected, err));
        }
        if faults.fail_every > 0 {
            self.counted += 1;
            if self.counted.is_multiple_of(faults.fail_every) {
                return Err((Refusal::Injected, failure()));
            }
        }
        Ok(())
    }

    /// Gives back one call of the primary rate limit's current window (GitHub does not count
    /// a conditional request answered `304 Not Modified`).
    pub(crate) fn refund_primary(&mut self) {
        if let Some(window) = &mut self.primary {
            window.used = window.used.saturating_sub(1);
        }
    }

    /// Where the primary rate limit stands, when one is set.
    pub(crate) fn rate_limit(&self, faults: &Faults) -> Option<RateLimitStatus> {
        let limit = faults.primary_rate_limit?;
        let now = Instant::now();
        let (used, reset_in) = match self.primary {
            Some(window) if now < window.start + limit.window => (
                window.used,
                (window.start + limit.window).saturating_duration_since(now),
            ),
            _ => (0, limit.window),
        };
        Some(RateLimitStatus {
            limit: limit.limit,
            remaining: limit.limit.saturating_sub(used),
            reset_in,
        })
    }
}
