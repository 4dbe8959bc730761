//! The one error type every use case returns. Each variant is an outcome a client can act
//! on; the HTTP adapter maps them to problem+json with stable codes in a single place.

use lyceum_domain::FieldErrors;
use lyceum_ports::{Conflict, RepoError};
use time::OffsetDateTime;

/// Why a use case did not do what was asked.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AppError {
    /// Well-formed input with invalid values, listed per field.
    #[error("invalid input: {0}")]
    Validation(FieldErrors),
    /// No valid access token.
    #[error("authentication required")]
    Unauthenticated,
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
    /// Signed in but not allowed.
    #[error("not allowed")]
    Forbidden,
    /// The thing does not exist, or the caller may not know that it does.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// A rule about the current state refused the change; `code` is stable
    /// (`user.email_taken`, `admin.self_demotion`).
    #[error("{code}: {detail}")]
    Conflict {
        /// Stable machine-readable code.
        code: &'static str,
        /// Human-readable explanation.
        detail: String,
    },
    /// A deduction larger than the balance.
    #[error("insufficient points: balance {balance}, requested {requested}")]
    InsufficientPoints {
        /// Points available.
        balance: i64,
        /// Points asked for.
        requested: i64,
    },
    /// The idempotency key was already used with another request body.
    #[error("idempotency key reused with a different request")]
    IdempotencyKeyMismatch,
    /// The first request with this idempotency key is still being processed.
    #[error("a request with this idempotency key is still in flight")]
    IdempotencyKeyInFlight,
    /// Something broke inside; the text goes to logs, never to clients.
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    /// A conflict with a stable code.
    pub fn conflict(code: &'static str, detail: impl Into<String>) -> Self {
        Self::Conflict {
            code,
            detail: detail.into(),
        }
    }

    /// A single-field validation failure.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        let mut errors = FieldErrors::new();
        errors.push(field, message);
        Self::Validation(errors)
    }

    /// Maps a repository error, naming what was looked for when it is `NotFound`.
    pub fn from_repo(what: &'static str) -> impl Fn(RepoError) -> AppError {
        move |error| match error {
            RepoError::NotFound => AppError::NotFound(what),
            other => other.into(),
        }
    }
}

impl From<FieldErrors> for AppError {
    fn from(errors: FieldErrors) -> Self {
        Self::Validation(errors)
    }
}

impl From<RepoError> for AppError {
    fn from(error: RepoError) -> Self {
        match error {
            RepoError::NotFound => AppError::NotFound("resource"),
            RepoError::Conflict(conflict) => conflict_error(conflict),
            RepoError::InsufficientPoints { balance } => AppError::InsufficientPoints {
                balance,
                requested: 0,
            },
            RepoError::IdempotencyKeyMismatch => AppError::IdempotencyKeyMismatch,
            RepoError::IdempotencyKeyInFlight => AppError::IdempotencyKeyInFlight,
            RepoError::Unavailable(msg) => AppError::Internal(msg),
        }
    }
}

fn conflict_error(conflict: Conflict) -> AppError {
    let (code, detail) = match conflict {
        Conflict::EmailTaken => (
            "user.email_taken",
            "An account with this email already exists.",
        ),
        Conflict::UsernameTaken => ("user.username_taken", "This username is already taken."),
        Conflict::PhoneTaken => (
            "user.phone_taken",
            "This phone number belongs to another account.",
        ),
        Conflict::SpecializationNameTaken => (
            "specialization.name_taken",
            "A specialization with this name already exists.",
        ),
        Conflict::SpecializationAlreadyAdded => (
            "specialization.already_added",
            "You already listed this specialization.",
        ),
        Conflict::SessionFull => (
            "booking.session_full",
            "All seats of this session are taken.",
        ),
        Conflict::BookingDuplicate => (
            "booking.duplicate",
            "You already hold a seat in this session.",
        ),
        Conflict::SessionNotBookable => (
            "booking.session_not_bookable",
            "The session is not open for booking.",
        ),
        Conflict::CapacityBelowSeatsTaken => (
            "session.capacity_below_seats_taken",
            "The capacity cannot go below the seats already taken.",
        ),
        Conflict::StaleState => (
            "state.changed",
            "The resource changed state meanwhile; reload and retry.",
        ),
        Conflict::FeedbackExists => (
            "feedback.duplicate",
            "Feedback for this booking already exists.",
        ),
        Conflict::RatingExists => ("rating.duplicate", "This session was already rated."),
    };
    AppError::conflict(code, detail)
}
