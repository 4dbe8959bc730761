//! Idempotency keys for money-moving and seat-taking requests (docs/api-conventions.md,
//! "Idempotency"): a key answers with its first request's final answer, whatever it was.
//!
//! The claim travels into the repository method that performs the effect, so that the
//! adapter records the key in the same transaction: either both the effect and the key
//! are stored, or neither is. The answer itself is stored next to the key right after;
//! a refusal, which changes nothing, is recorded with its answer before it is given.

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

/// A key's first final answer as the adapter that gave it rendered it. Opaque here: only
/// the adapter reads it back, so that a replay is the same answer to the byte while no
/// transport's wording reaches the use cases.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse(pub String);

/// What a live key remembers of its first request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Remembered {
    /// Its final answer, to be given again.
    Answer(StoredResponse),
    /// Its effect is committed but its answer is not stored yet: the first request is
    /// about to store it, or the process stopped in between. The repository method that
    /// performs the effect replays from the resource it created.
    Unanswered,
}

/// Stored keys and their answers.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait IdempotencyKeyRepository: Send + Sync {
    /// What the first request with this key answered, if the key is live; an expired key
    /// counts as new. The same key with another fingerprint is
    /// [`RepoError::IdempotencyKeyMismatch`].
    async fn recall(
        &self,
        claim: &IdempotencyClaim,
        now: OffsetDateTime,
    ) -> Result<Option<Remembered>, RepoError>;

    /// Stores the answer of the request whose effect recorded the key, unless an answer is
    /// stored already (a retry that replayed from the resource may race the first
    /// request): the first one stored stays. Returns the answer on record.
    async fn store_answer(
        &self,
        claim: &IdempotencyClaim,
        answer: StoredResponse,
    ) -> Result<StoredResponse, RepoError>;

    /// Records that the request with this key was refused, with its answer, so a retry gets
    /// the same refusal even once the refusal's cause is gone. The key's primary key
    /// decides between this and an effect recorded by a concurrent request with the same
    /// key: [`RepoError::IdempotencyKeyInFlight`] if that one got there first.
    async fn record_refusal(
        &self,
        claim: IdempotencyClaim,
        answer: StoredResponse,
        now: OffsetDateTime,
    ) -> Result<(), RepoError>;

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
