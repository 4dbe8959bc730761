//! Repositories of the identity context: accounts, sign-in records, auth sessions,
//! verification tokens, specializations, declared certificates and billing addresses.

use async_trait::async_trait;
use lyceum_domain::identity::{
    Ban, BillingAddress, Email, LockoutPolicy, PersonName, PhoneNumber, Profile, Role, Roles,
    Specialization, SpecializationName, User, UserCertificate, Username,
};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::outbox::Outbox;
use crate::{Page, PageRequest, RepoError};

/// An account to create, with its already-hashed password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    /// Id.
    pub id: Uuid,
    /// Login email.
    pub email: Email,
    /// Handle.
    pub username: Username,
    /// Optional phone.
    pub phone_number: Option<PhoneNumber>,
    /// Given name.
    pub first_name: PersonName,
    /// Family name.
    pub last_name: PersonName,
    /// Initial roles.
    pub roles: Roles,
    /// argon2id PHC string.
    pub password_hash: String,
    /// Now.
    pub created_at: OffsetDateTime,
}

/// The editable part of an account, saved as a whole after the use case applied a patch.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountDetails {
    /// Given name.
    pub first_name: PersonName,
    /// Family name.
    pub last_name: PersonName,
    /// Phone (unique).
    pub phone_number: Option<PhoneNumber>,
    /// Profile.
    pub profile: Profile,
}

/// Admin search over accounts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserQuery {
    /// Matches email, username, first or last name (case-insensitive substring).
    pub text: Option<String>,
    /// Only users holding this role.
    pub role: Option<Role>,
    /// Include soft-deleted accounts.
    pub include_deleted: bool,
}

/// Filters of the public mentor directory.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MentorFilter {
    /// Only mentors who listed this specialization.
    pub specialization_id: Option<Uuid>,
    /// Case-insensitive substring of an expertise keyword.
    pub expertise: Option<String>,
}

/// Accounts.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait UserRepository: Send + Sync {
    /// Creates the user, their empty profile and their zero-balance wallet in one
    /// transaction, with the verification token and the outbox (the mail that carries the
    /// token) when given. Duplicates are [`RepoError::Conflict`].
    async fn register(
        &self,
        user: NewUser,
        verification: Option<NewVerificationToken>,
        outbox: Outbox,
    ) -> Result<User, RepoError>;

    /// A user by id, including soft-deleted ones (callers decide what that means).
    async fn by_id(&self, id: Uuid) -> Result<Option<User>, RepoError>;

    /// A user by email or username (ignoring case) with their password hash.
    async fn by_login(&self, login: &str) -> Result<Option<(User, String)>, RepoError>;

    /// A user by email (ignoring case).
    async fn by_email(&self, email: &Email) -> Result<Option<User>, RepoError>;

    /// The stored password hash.
    async fn password_hash(&self, id: Uuid) -> Result<Option<String>, RepoError>;

    /// Counts one more consecutive failure atomically and, if `policy` says so, locks the
    /// account (resetting the count), and records the attempt in the login history, in
    /// one transaction. Returns the lock end when this failure locked it.
    async fn record_login_failure(
        &self,
        id: Uuid,
        policy: LockoutPolicy,
        now: OffsetDateTime,
        attempt: LoginAttempt,
    ) -> Result<Option<OffsetDateTime>, RepoError>;

    /// Saves names, phone and profile. A taken phone is a conflict.
    async fn save_details(
        &self,
        id: Uuid,
        details: AccountDetails,
        now: OffsetDateTime,
    ) -> Result<User, RepoError>;

    /// Replaces the password hash.
    async fn set_password_hash(
        &self,
        id: Uuid,
        hash: String,
        now: OffsetDateTime,
    ) -> Result<(), RepoError>;

    /// Records that the email was proven.
    async fn mark_email_verified(&self, id: Uuid, now: OffsetDateTime) -> Result<(), RepoError>;

    /// Sets or lifts a ban. Setting one also signs the account out everywhere, in the
    /// same transaction: a banned account keeps no live session.
    async fn set_ban(
        &self,
        id: Uuid,
        ban: Option<Ban>,
        now: OffsetDateTime,
    ) -> Result<User, RepoError>;

    /// Replaces the role set.
    async fn set_roles(
        &self,
        id: Uuid,
        roles: Roles,
        now: OffsetDateTime,
    ) -> Result<User, RepoError>;

    /// Soft-deletes (admin): the account stays for records but can no longer act; its
    /// sessions are revoked in the same transaction.
    async fn soft_delete(&self, id: Uuid, now: OffsetDateTime) -> Result<(), RepoError>;

    /// Erases the account and what belongs only to it (wallet and ledger, profile,
    /// certificates, specialization links, billing address, sessions, tokens, login
    /// history), keeping what other users own.
    async fn erase(&self, id: Uuid) -> Result<(), RepoError>;

    /// Admin search, oldest first.
    async fn search(&self, query: UserQuery, page: PageRequest) -> Result<Page<User>, RepoError>;

    /// Active, non-deleted mentors matching the filter, oldest first.
    async fn mentors(
        &self,
        filter: MentorFilter,
        page: PageRequest,
    ) -> Result<Page<User>, RepoError>;
}

/// One sign-in attempt, successful or not (Edupeak `login_history`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginAttempt {
    /// Id.
    pub id: Uuid,
    /// The account, when the login named one.
    pub user_id: Option<Uuid>,
    /// What was typed as login (email or username).
    pub login: String,
    /// Whether it succeeded.
    pub success: bool,
    /// Why it failed (`invalid_credentials`, `locked`, `banned`, `inactive`).
    pub failure_reason: Option<String>,
    /// Client address.
    pub ip: Option<String>,
    /// Client user agent.
    pub user_agent: Option<String>,
    /// When.
    pub created_at: OffsetDateTime,
}

/// The login history.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait LoginAttemptRepository: Send + Sync {
    /// Appends one attempt.
    async fn record(&self, attempt: LoginAttempt) -> Result<(), RepoError>;
    /// A user's attempts, newest first.
    async fn for_user(&self, user_id: Uuid, limit: u64) -> Result<Vec<LoginAttempt>, RepoError>;
}

/// A signed-in device: one family of rotating refresh tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthSession {
    /// Id (carried in access tokens as `sid`).
    pub id: Uuid,
    /// Owner.
    pub user_id: Uuid,
    /// Client address at sign-in.
    pub ip: Option<String>,
    /// Client user agent at sign-in.
    pub user_agent: Option<String>,
    /// Signed in at.
    pub created_at: OffsetDateTime,
    /// Last refresh.
    pub last_used_at: OffsetDateTime,
    /// When the current refresh token expires.
    pub expires_at: OffsetDateTime,
    /// Set when signed out, revoked, or when token reuse was detected.
    pub revoked_at: Option<OffsetDateTime>,
}

impl AuthSession {
    /// Whether tokens of this session are still honoured at `now`.
    pub fn is_active(&self, now: OffsetDateTime) -> bool {
        self.revoked_at.is_none() && self.expires_at > now
    }
}

/// A session to start with its first refresh token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAuthSession {
    /// Session id.
    pub id: Uuid,
    /// Owner.
    pub user_id: Uuid,
    /// Id of the first refresh token.
    pub refresh_token_id: Uuid,
    /// Digest of the first refresh token.
    pub refresh_token_digest: String,
    /// Client address.
    pub ip: Option<String>,
    /// Client user agent.
    pub user_agent: Option<String>,
    /// Now.
    pub created_at: OffsetDateTime,
    /// Refresh token expiry.
    pub expires_at: OffsetDateTime,
}

/// A refresh token rotation to perform.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rotation {
    /// Digest of the token the client presented.
    pub presented_digest: String,
    /// Id of the replacement token.
    pub new_token_id: Uuid,
    /// Digest of the replacement token.
    pub new_token_digest: String,
    /// Expiry of the replacement.
    pub new_expires_at: OffsetDateTime,
    /// Now.
    pub now: OffsetDateTime,
}

/// What a rotation found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RotationOutcome {
    /// The presented token was current: it is now dead and the replacement is live.
    Rotated(AuthSession),
    /// The presented token had already been rotated (stolen or replayed): the caller
    /// must revoke the whole session.
    Reused(AuthSession),
    /// Unknown, expired, or its session is revoked.
    Rejected,
}

/// Auth sessions and their refresh tokens.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait AuthSessionRepository: Send + Sync {
    /// A successful sign-in, in one transaction: the account's failure count is reset and
    /// `last_login_at` stamped, the attempt goes into the login history, and the session
    /// starts with its first refresh token.
    async fn start(
        &self,
        session: NewAuthSession,
        attempt: LoginAttempt,
    ) -> Result<AuthSession, RepoError>;
    /// Marks the presented token used and stores its replacement, atomically: of two
    /// concurrent rotations of the same token, exactly one gets `Rotated`.
    async fn rotate(&self, rotation: Rotation) -> Result<RotationOutcome, RepoError>;
    /// A session by id.
    async fn by_id(&self, id: Uuid) -> Result<Option<AuthSession>, RepoError>;
    /// A session and the account it signed in, read in one round trip: every
    /// authenticated request needs both, so they are one query (a join) rather than two,
    /// and, being read on each request, a revocation, ban or role change applies to the
    /// very next one. `None` when the session does not exist.
    async fn with_account(&self, id: Uuid) -> Result<Option<(AuthSession, User)>, RepoError>;
    /// Revokes one of the user's sessions; `NotFound` if it is not theirs.
    async fn revoke(
        &self,
        user_id: Uuid,
        session_id: Uuid,
        now: OffsetDateTime,
    ) -> Result<(), RepoError>;
    /// Revokes every session of the user (password reset, ban).
    async fn revoke_all(&self, user_id: Uuid, now: OffsetDateTime) -> Result<(), RepoError>;
    /// The user's live sessions, most recently used first.
    async fn active(
        &self,
        user_id: Uuid,
        now: OffsetDateTime,
    ) -> Result<Vec<AuthSession>, RepoError>;
}

/// What a verification token proves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenPurpose {
    /// Owning the email address.
    EmailVerification,
    /// Permission to set a new password.
    PasswordReset,
}

impl TokenPurpose {
    /// Stable stored name.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::EmailVerification => "email_verification",
            Self::PasswordReset => "password_reset",
        }
    }
}

/// A single-use token to store (digest only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewVerificationToken {
    /// Id.
    pub id: Uuid,
    /// For whom.
    pub user_id: Uuid,
    /// For what.
    pub purpose: TokenPurpose,
    /// Digest of the secret mailed to the user.
    pub digest: String,
    /// Now.
    pub created_at: OffsetDateTime,
    /// Dead after this.
    pub expires_at: OffsetDateTime,
}

/// Email verification and password reset tokens.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait VerificationTokenRepository: Send + Sync {
    /// Stores a token, invalidating earlier unused ones of the same user and purpose, and
    /// the outbox (the mail that carries the token) in the same transaction.
    async fn issue(&self, token: NewVerificationToken, outbox: Outbox) -> Result<(), RepoError>;
    /// Uses an email verification token and marks its account's address verified, in one
    /// transaction; returns the account, or `None` if the token is unknown, used or
    /// expired (then nothing changes).
    async fn verify_email(
        &self,
        digest: &str,
        now: OffsetDateTime,
    ) -> Result<Option<Uuid>, RepoError>;
    /// Uses a password reset token, stores the new password hash and revokes every
    /// session of the account, in one transaction: whoever knew the old password is
    /// signed out by the same commit that replaces it. `None` (and no change) for an
    /// unknown, used or expired token.
    async fn reset_password(
        &self,
        digest: &str,
        password_hash: String,
        now: OffsetDateTime,
    ) -> Result<Option<Uuid>, RepoError>;
    /// Uses a token once: returns its user if it exists, has this purpose, is unused
    /// and unexpired, and marks it used in the same statement.
    async fn consume(
        &self,
        purpose: TokenPurpose,
        digest: &str,
        now: OffsetDateTime,
    ) -> Result<Option<Uuid>, RepoError>;
}

/// Specializations and users' links to them.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait SpecializationRepository: Send + Sync {
    /// All, by name.
    async fn list(&self) -> Result<Vec<Specialization>, RepoError>;
    /// One.
    async fn by_id(&self, id: Uuid) -> Result<Option<Specialization>, RepoError>;
    /// Creates; a taken name is a conflict.
    async fn create(&self, specialization: Specialization) -> Result<Specialization, RepoError>;
    /// Renames or re-describes.
    async fn update(
        &self,
        id: Uuid,
        name: SpecializationName,
        description: Option<String>,
        now: OffsetDateTime,
    ) -> Result<Specialization, RepoError>;
    /// Deletes it and every user's link to it.
    async fn delete(&self, id: Uuid) -> Result<(), RepoError>;
    /// Links a user; an existing link is [`crate::Conflict::SpecializationAlreadyAdded`].
    async fn add_to_user(
        &self,
        user_id: Uuid,
        specialization_id: Uuid,
        now: OffsetDateTime,
    ) -> Result<(), RepoError>;
    /// Unlinks; `NotFound` if there was no link.
    async fn remove_from_user(
        &self,
        user_id: Uuid,
        specialization_id: Uuid,
    ) -> Result<(), RepoError>;
    /// A user's specializations, by name.
    async fn of_user(&self, user_id: Uuid) -> Result<Vec<Specialization>, RepoError>;
}

/// User-declared certificates.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait CertificateRepository: Send + Sync {
    /// Stores a new certificate.
    async fn add(&self, certificate: UserCertificate) -> Result<UserCertificate, RepoError>;
    /// A user's certificates, newest issue date first.
    async fn of_user(&self, user_id: Uuid) -> Result<Vec<UserCertificate>, RepoError>;
    /// Deletes one of the user's certificates; `NotFound` if not theirs.
    async fn remove(&self, user_id: Uuid, certificate_id: Uuid) -> Result<(), RepoError>;
}

/// Billing addresses, at most one per user.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait BillingAddressRepository: Send + Sync {
    /// The user's address.
    async fn of_user(&self, user_id: Uuid) -> Result<Option<BillingAddress>, RepoError>;
    /// Creates or replaces the user's address (the unique owner column makes a second
    /// one impossible). Returns the stored address and whether it was created.
    async fn put(&self, address: BillingAddress) -> Result<(BillingAddress, bool), RepoError>;
    /// Deletes it; `NotFound` if there was none.
    async fn remove(&self, user_id: Uuid) -> Result<(), RepoError>;
}
