//! Who may sign in, and when an account locks (MedicalEdu account locking, Edupeak bans).

use time::{Duration, OffsetDateTime};

/// Why a sign-in with otherwise valid credentials is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoginRefusal {
    /// Banned by an admin; `until` is `None` for a permanent ban.
    #[error("account is banned")]
    Banned {
        /// When the ban ends, if ever.
        until: Option<OffsetDateTime>,
        /// The admin's stated reason.
        reason: String,
    },
    /// Too many consecutive failed attempts.
    #[error("account is locked until {until}")]
    Locked {
        /// When sign-in is allowed again.
        until: OffsetDateTime,
    },
    /// Deactivated or deleted accounts cannot sign in.
    #[error("account is not active")]
    Inactive,
}

/// How many consecutive failures lock an account, and for how long. Configurable because
/// the right trade-off between brute-force resistance and lock-out annoyance differs per
/// deployment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockoutPolicy {
    /// Consecutive failures that trigger a lock (at least 1).
    pub max_failures: u32,
    /// How long the lock lasts.
    pub lock_for: Duration,
}

impl Default for LockoutPolicy {
    fn default() -> Self {
        Self {
            max_failures: 5,
            lock_for: Duration::minutes(15),
        }
    }
}

impl LockoutPolicy {
    /// Given the count of consecutive failures including the one that just happened,
    /// returns when the account must stay locked until, if this failure crosses the limit.
    pub fn lock_after_failure(
        &self,
        consecutive_failures: u32,
        now: OffsetDateTime,
    ) -> Option<OffsetDateTime> {
        (consecutive_failures >= self.max_failures.max(1)).then(|| now + self.lock_for)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn fifth_consecutive_failure_locks_for_fifteen_minutes() {
        let policy = LockoutPolicy::default();
        let now = datetime!(2026-01-01 10:00 UTC);
        assert_eq!(policy.lock_after_failure(4, now), None);
        assert_eq!(
            policy.lock_after_failure(5, now),
            Some(datetime!(2026-01-01 10:15 UTC))
        );
    }
}
