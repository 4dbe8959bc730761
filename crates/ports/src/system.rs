//! Ports for what is not a repository: time, ids, secrets, hashing, tokens, and the
//! mail a command puts in its outbox.
//! They exist so that use cases stay deterministic in tests and so that slow or external
//! work (argon2, SMTP) can be swapped or bounded by the adapter.

use async_trait::async_trait;
use lyceum_domain::identity::{Password, Roles};
use time::OffsetDateTime;
use uuid::Uuid;

/// The current time. The domain never reads the clock; use cases ask this port.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait Clock: Send + Sync {
    /// Now, in UTC.
    fn now(&self) -> OffsetDateTime;
}

/// New ids (UUIDv7 in production, so ids sort by creation time).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait IdGenerator: Send + Sync {
    /// A fresh id.
    fn new_id(&self) -> Uuid;
}

/// Why a cryptographic adapter failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("crypto failure: {0}")]
pub struct CryptoError(pub String);

/// Password hashing (argon2id in production). Async because hashing is deliberately slow
/// and runs on blocking threads behind a concurrency limit.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait PasswordHasher: Send + Sync {
    /// A self-describing hash (PHC string) of the password.
    async fn hash(&self, password: &Password) -> Result<String, CryptoError>;
    /// Whether `candidate` matches `hash`. When `hash` is `None` (unknown user) the
    /// adapter verifies against a dummy hash so that the answer takes the same time.
    async fn verify(&self, candidate: &str, hash: Option<String>) -> Result<bool, CryptoError>;
}

/// What an access token says about its bearer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessClaims {
    /// The user.
    pub user_id: Uuid,
    /// The auth session (signed-in device) the token belongs to; revoking the session
    /// ends the token too.
    pub session_id: Uuid,
    /// Roles at issue time. Informational only: admin checks read the database.
    pub roles: Roles,
    /// Expiry.
    pub expires_at: OffsetDateTime,
}

/// A signed access token and its lifetime.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedAccessToken {
    /// The compact JWT.
    pub token: String,
    /// Seconds until it expires.
    pub expires_in: i64,
}

/// Why an access token was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// Expired.
    #[error("token expired")]
    Expired,
    /// Bad signature, algorithm, issuer, audience or shape.
    #[error("token invalid")]
    Invalid,
    /// The signer failed.
    #[error(transparent)]
    Crypto(#[from] CryptoError),
}

/// Issues and checks short-lived access tokens (JWT in production).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait AccessTokens: Send + Sync {
    /// Signs a token for the given user and session, valid from `now`.
    fn issue(
        &self,
        user_id: Uuid,
        session_id: Uuid,
        roles: &Roles,
        now: OffsetDateTime,
    ) -> Result<IssuedAccessToken, TokenError>;
    /// Verifies signature, algorithm, expiry, issuer and audience.
    fn verify(&self, token: &str) -> Result<AccessClaims, TokenError>;
}

/// A freshly minted opaque secret (refresh token, verification token) and the digest
/// that is stored in its place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MintedSecret {
    /// Given to the user once; never stored.
    pub plain: String,
    /// Stored; a database leak does not reveal usable secrets.
    pub digest: String,
}

/// Random opaque secrets and their digests.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait SecretMinter: Send + Sync {
    /// A new unguessable secret.
    fn mint(&self) -> MintedSecret;
    /// The digest of a secret a client presented, to look it up.
    fn digest(&self, plain: &str) -> String;
}

/// What a mail is for, with the facts its wording needs. The use cases decide that a
/// mail is due; the mail adapter words it (subject, body, links) for its reader.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailMessage {
    /// Confirm the address an account registered with.
    EmailVerification {
        /// How to greet the reader.
        first_name: String,
        /// The single-use code to send back.
        code: String,
        /// How long the code works.
        valid_for: time::Duration,
    },
    /// Someone asked to reset the account's password.
    PasswordReset {
        /// How to greet the reader.
        first_name: String,
        /// The single-use code to send back with the new password.
        code: String,
        /// How long the code works.
        valid_for: time::Duration,
    },
}

/// An email a command queues in its outbox (see [`crate::outbox`]); the mail relay words
/// and delivers it after the command commits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingMail {
    /// Id (for the outbox).
    pub id: Uuid,
    /// Recipient address.
    pub to: String,
    /// What it says, as facts.
    pub message: MailMessage,
    /// When it was queued.
    pub created_at: OffsetDateTime,
}
