//! Idempotency keys for money-moving and seat-taking requests (docs/api-conventions.md, "Writes").
//!
//! The claim travels into the repository method that performs the effect, so that the
//! adapter records the key in the same transaction: either both the effect and the key
//! are stored, or neither is.

use async_trait::async_trait;
use time::{Duration, OffsetDateTime};

use crate::RepoError;

/// How long a key is remembered; after that the same key starts a new request.
pub const IDEMPOTENCY_KEY_TTL: Duration = Duration::hours(24);

/// A client's `Idempotency-Key`: 1 to 255 visible ASCII characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IdempotencyKey(String);

/// The key is empty, too long, or has a character outside visible ASCII.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("Idempotency-Key must be 1 to 255 visible ASCII characters")]
pub struct InvalidIdempotencyKey;

impl IdempotencyKey {
    /// Longest accepted key.
    pub const MAX_LEN: usize = 255;

    /// Accepts 1 to 255 visible ASCII characters (no spaces, no control characters).
    pub fn parse(raw: impl Into<String>) -> Result<Self, InvalidIdempotencyKey> {
        let raw = raw.into();
        let visible = raw.chars().all(|c| c.is_ascii_graphic());
        if raw.is_empty() || raw.len() > Self::MAX_LEN || !visible {
            return Err(InvalidIdempotencyKey);
        }
        Ok(Self(raw))
    }

    /// The key as the client sent it.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An idempotency key with the fingerprint of the request it came with: what a use case
/// that honours `Idempotency-Key` takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotentRequest {
    /// The client's key.
    pub key: IdempotencyKey,
    /// A digest of the request (target and body).
    pub fingerprint: String,
}

impl IdempotentRequest {
    /// The claim to record, private to `scope` (a caller and an operation).
    pub fn claim(self, scope: String) -> IdempotencyClaim {
        IdempotencyClaim {
            scope,
            key: self.key.0,
            fingerprint: self.fingerprint,
        }
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_one_to_255_visible_ascii_characters() {
        assert!(IdempotencyKey::parse("k-1_2.3").is_ok());
        assert!(IdempotencyKey::parse("x".repeat(255)).is_ok());
        assert_eq!(IdempotencyKey::parse(""), Err(InvalidIdempotencyKey));
        assert_eq!(
            IdempotencyKey::parse("x".repeat(256)),
            Err(InvalidIdempotencyKey)
        );
        assert_eq!(
            IdempotencyKey::parse("has space"),
            Err(InvalidIdempotencyKey)
        );
        assert_eq!(IdempotencyKey::parse("é"), Err(InvalidIdempotencyKey));
    }
}
