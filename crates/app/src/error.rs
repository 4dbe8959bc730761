//! The error every use case returns. Each variant is an outcome a client can act on and
//! carries its cause as a type: the domain's own error where a domain rule refused, a
//! context's error enum where a use case did. Use cases never choose codes, statuses or
//! wording; the HTTP adapter maps each variant to problem+json in one place.

use lyceum_domain::wallet::WalletError;
use lyceum_domain::{FieldErrors, FieldRule, Violation};
use lyceum_ports::{Cause, Conflict, RepoError};

use crate::identity::IdentityError;
use crate::mentoring::MentoringError;

/// Why a use case did not do what was asked.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AppError {
    /// Well-formed input with invalid values, listed per field of the use case's input.
    #[error("invalid input: {0}")]
    Validation(FieldErrors),
    /// No valid access token.
    #[error("authentication required")]
    Unauthenticated,
    /// Signed in but not allowed.
    #[error("not allowed")]
    Forbidden,
    /// The thing does not exist, or the caller may not know that it does.
    #[error("{0:?} not found")]
    NotFound(Resource),
    /// The thing changed state while the request was being handled; a reload helps.
    #[error("state changed meanwhile")]
    StateChanged,
    /// An `Idempotency-Key` that cannot be honoured.
    #[error(transparent)]
    Idempotency(#[from] IdempotencyError),
    /// Accounts, sign-in and moderation refused.
    #[error(transparent)]
    Identity(#[from] IdentityError),
    /// The wallet's rule refused (a deduction larger than the balance).
    #[error(transparent)]
    Wallet(#[from] WalletError),
    /// Mentoring refused.
    #[error(transparent)]
    Mentoring(#[from] MentoringError),
    /// The database could not be reached; the client may retry shortly. The cause goes to
    /// the log, never to clients.
    #[error("unavailable: {0}")]
    Unavailable(Cause),
    /// Something broke inside; the cause goes to the log, never to clients.
    #[error("internal error: {0}")]
    Internal(Cause),
}

/// What was not found. Clients tell missing things apart by it, so each kind of thing the
/// API serves has its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Resource {
    /// An account.
    User,
    /// An account with the mentor role.
    Mentor,
    /// One of my sign-in sessions.
    AuthSession,
    /// My billing address.
    BillingAddress,
    /// A declared certificate.
    Certificate,
    /// A specialization of the catalogue.
    Specialization,
    /// A points wallet.
    Wallet,
    /// A mentoring session.
    MentoringSession,
    /// A booking.
    Booking,
    /// A mentorship request.
    MentorshipRequest,
    /// A notification.
    Notification,
    /// A mentor's weekly availability.
    Availability,
    /// A calendar feed URL (unknown, replaced or revoked).
    CalendarFeed,
    /// Something a store did not find where the use case did not say what it looked for.
    Unknown,
}

/// An `Idempotency-Key` that cannot be honoured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum IdempotencyError {
    /// The key was already used with another request body.
    #[error("idempotency key reused with a different request")]
    KeyReused,
    /// The first request with this key is still being processed.
    #[error("a request with this idempotency key is still in flight")]
    InFlight,
}

impl AppError {
    /// A single-field validation failure the use case found itself, with no domain error
    /// to describe it.
    pub fn invalid(field: &str, violation: Violation, message: impl Into<String>) -> Self {
        let mut errors = FieldErrors::new();
        errors.push(field, violation, message);
        Self::Validation(errors)
    }

    /// A domain rule's refusal as the single-field validation failure of `field`, keeping
    /// the rule's code and wording.
    pub fn rejected(field: &str, error: impl FieldRule) -> Self {
        let mut errors = FieldErrors::new();
        errors.reject(field, error);
        Self::Validation(errors)
    }

    /// An internal failure with its cause kept for the log.
    pub fn internal(cause: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Internal(Cause::new(cause))
    }

    /// Maps a repository error, naming what was looked for when it is `NotFound`.
    pub fn from_repo(what: Resource) -> impl Fn(RepoError) -> AppError {
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
            RepoError::NotFound => AppError::NotFound(Resource::Unknown),
            RepoError::Conflict(conflict) => conflict.into(),
            RepoError::InsufficientPoints { balance } => {
                AppError::Wallet(WalletError::InsufficientPoints {
                    balance,
                    requested: 0,
                })
            }
            RepoError::IdempotencyKeyMismatch => IdempotencyError::KeyReused.into(),
            RepoError::IdempotencyKeyInFlight => IdempotencyError::InFlight.into(),
            RepoError::Unreachable(cause) => AppError::Unavailable(cause),
            RepoError::Unavailable(cause) => AppError::Internal(cause),
        }
    }
}

impl From<Conflict> for AppError {
    /// The store's refusals, in the context they belong to. Use cases that know more (the
    /// session's capacity, which transition lost) map them themselves first.
    fn from(conflict: Conflict) -> Self {
        use lyceum_domain::mentoring::BookingError;
        match conflict {
            Conflict::EmailTaken => IdentityError::EmailTaken.into(),
            Conflict::UsernameTaken => IdentityError::UsernameTaken.into(),
            Conflict::PhoneTaken => IdentityError::PhoneTaken.into(),
            Conflict::SpecializationNameTaken => IdentityError::SpecializationNameTaken.into(),
            Conflict::SpecializationAlreadyAdded => {
                IdentityError::SpecializationAlreadyAdded.into()
            }
            Conflict::SessionFull => {
                MentoringError::Booking(BookingError::SessionFull { capacity: 0 }).into()
            }
            Conflict::BookingDuplicate => MentoringError::Booking(BookingError::Duplicate).into(),
            Conflict::SessionNotBookable => {
                MentoringError::Booking(BookingError::SessionNotBookable).into()
            }
            Conflict::CapacityBelowSeatsTaken => MentoringError::CapacityBelowSeatsTaken.into(),
            Conflict::MentorBusy { session_id } => {
                MentoringError::Session(lyceum_domain::mentoring::SessionError::Overlaps {
                    session_id,
                })
                .into()
            }
            Conflict::StaleState => AppError::StateChanged,
            Conflict::FeedbackExists => MentoringError::FeedbackExists.into(),
            Conflict::RatingExists => MentoringError::RatingExists.into(),
        }
    }
}
