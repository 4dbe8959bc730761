//! What the identity use cases refuse, as facts. The HTTP adapter turns each into a status,
//! a stable code and wording.

use time::OffsetDateTime;

/// Why an identity use case refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentityError {
    /// Unknown login or wrong password (deliberately indistinguishable).
    #[error("invalid credentials")]
    InvalidCredentials,
    /// A refresh token that is unknown, expired, revoked or already used.
    #[error("invalid refresh token")]
    InvalidRefreshToken,
    /// An email verification or password reset token that is unknown, used or expired.
    #[error("invalid or expired token")]
    InvalidVerificationToken,
    /// Too many failed sign-ins.
    #[error("account locked until {until}")]
    AccountLocked {
        /// When sign-in is allowed again.
        until: OffsetDateTime,
    },
    /// Banned by an admin.
    #[error("account banned")]
    Banned {
        /// When the ban ends; `None` means permanent.
        until: Option<OffsetDateTime>,
        /// The admin's reason.
        reason: String,
    },
    /// Another account has this email.
    #[error("email taken")]
    EmailTaken,
    /// Another account has this username.
    #[error("username taken")]
    UsernameTaken,
    /// Another account has this phone number.
    #[error("phone number taken")]
    PhoneTaken,
    /// Verifying an address that is verified already.
    #[error("email already verified")]
    EmailAlreadyVerified,
    /// Another specialization has this name.
    #[error("specialization name taken")]
    SpecializationNameTaken,
    /// The user listed this specialization already.
    #[error("specialization already listed")]
    SpecializationAlreadyAdded,
    /// An admin tried to ban themselves.
    #[error("admins cannot ban themselves")]
    SelfBan,
    /// An admin tried to delete their own account through moderation.
    #[error("admins cannot delete their own account through moderation")]
    SelfDeletion,
    /// An admin tried to remove their own admin role (the last way back in).
    #[error("admins cannot remove their own admin role")]
    SelfDemotion,
}
