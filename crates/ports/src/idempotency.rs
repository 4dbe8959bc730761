//! Idempotency keys for money-moving and seat-taking requests (api.md "Writes").
//!
//! The claim travels into the repository method that performs the effect, so that the
//! adapter records the key in the same transaction: either both the effect and the key
//! are stored, or neither is.

use async_trait::async_trait;
use time::{Duration, OffsetDateTime};

use crate::RepoError;

/// How long a key is remembered; after that the same key starts a new request.
pub const IDEMPOTENCY_KEY_TTL: Duration = Duration::hours(24);

/// A client's idempotency key, bound to who sent it and what they asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyClaim {
    /// Keys are private to a caller and an operation (`wallet_adjustment:<admin id>`),
    /// so two clients choosing the same key never collide.
    pub scope: String,
    /// The client's key (1–255 printable characters).
    pub key: String,
    /// A digest of the request (target and body); the same key with another fingerprint
    /// is a client bug and is refused.
    pub fingerprint: String,
}

/// Housekeeping of stored keys.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait IdempotencyKeyRepository: Send + Sync {
    /// Deletes keys whose time is up, so the table holds at most a day of keys; returns
    /// how many were deleted. An expired key that is used again already counts as new.
    async fn purge_expired(&self, now: OffsetDateTime) -> Result<u64, RepoError>;
}
