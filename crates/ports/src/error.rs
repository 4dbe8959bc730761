//! The error every repository port speaks. Adapters translate database failures into it at
//! the boundary (a unique violation becomes [`Conflict`], a check violation the rule it
//! guards), so that no database type reaches a use case.

use std::error::Error;
use std::fmt;
use std::sync::Arc;

/// Why something outside failed, kept whole for the log. The chain of sources survives
/// from the adapter to the place that logs it, while clients only ever learn that
/// something went wrong. Two causes are equal when they read the same, which is what
/// tests compare.
#[derive(Clone)]
pub struct Cause(Arc<dyn Error + Send + Sync + 'static>);

impl Cause {
    /// Keeps an error and its sources.
    pub fn new(error: impl Error + Send + Sync + 'static) -> Self {
        Self(Arc::new(error))
    }

    /// A cause that is only a message (a corrupt row, an impossible state).
    pub fn msg(message: impl Into<String>) -> Self {
        Self(Arc::new(Message(message.into())))
    }

    /// The error and every source below it, outermost first, joined by `: `.
    pub fn chain(&self) -> String {
        let mut text = self.0.to_string();
        let mut source = self.0.source();
        while let Some(inner) = source {
            text.push_str(": ");
            text.push_str(&inner.to_string());
            source = inner.source();
        }
        text
    }
}

impl fmt::Debug for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.chain())
    }
}

impl fmt::Display for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.chain())
    }
}

impl PartialEq for Cause {
    fn eq(&self, other: &Self) -> bool {
        self.chain() == other.chain()
    }
}

impl Eq for Cause {}

impl Error for Cause {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        self.0.source()
    }
}

#[derive(Debug)]
struct Message(String);

impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Error for Message {}

/// A uniqueness or state rule the store refused, named in domain words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conflict {
    /// Another account has this email (ignoring case).
    EmailTaken,
    /// Another account has this username (ignoring case).
    UsernameTaken,
    /// Another account has this phone number.
    PhoneTaken,
    /// Another specialization has this name (ignoring case).
    SpecializationNameTaken,
    /// The user already listed this specialization.
    SpecializationAlreadyAdded,
    /// Every seat of the session is taken.
    SessionFull,
    /// The learner already holds a live booking in this session.
    BookingDuplicate,
    /// The session is not scheduled in the future any more.
    SessionNotBookable,
    /// A capacity below the seats already taken.
    CapacityBelowSeatsTaken,
    /// The mentor already has a scheduled or active session overlapping the time being
    /// given to them (`lyceum_domain::mentoring::check_mentor_free`, checked inside the
    /// write's transaction under the mentor's lock).
    MentorBusy {
        /// The earliest session already taking that time.
        session_id: uuid::Uuid,
    },
    /// The row changed state since it was read (a concurrent transition won).
    StaleState,
    /// Feedback for this booking already exists.
    FeedbackExists,
    /// This rater already rated this session.
    RatingExists,
}

/// Why a repository call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RepoError {
    /// The thing the call acts on does not exist (or is not the caller's).
    #[error("not found")]
    NotFound,
    /// A uniqueness rule refused the write.
    #[error("conflict: {0:?}")]
    Conflict(Conflict),
    /// The wallet would go below zero; carries the balance seen inside the transaction.
    #[error("insufficient points: balance {balance}")]
    InsufficientPoints {
        /// Balance at the time of the refused change.
        balance: i64,
    },
    /// The idempotency key was used before with a different request body.
    #[error("idempotency key reused with a different request")]
    IdempotencyKeyMismatch,
    /// A request with the same idempotency key is still being processed, or a concurrent
    /// one decided the key's answer first: a retry gets that answer.
    #[error("a request with this idempotency key is in flight")]
    IdempotencyKeyInFlight,
    /// The store could not be reached at all (no connection, the server shutting down or
    /// restarting). Unlike other failures this says "try again shortly": nothing on the
    /// caller's side is wrong.
    #[error("store unreachable: {0}")]
    Unreachable(Cause),
    /// The store failed; the cause is for logs only, never for clients.
    #[error("store unavailable: {0}")]
    Unavailable(Cause),
}
