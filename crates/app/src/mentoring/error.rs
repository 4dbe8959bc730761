//! What the mentoring use cases refuse. Domain rules keep their own error types
//! (`SessionError`, `BookingError`, `RequestError`) and travel inside; the rest are
//! refusals decided here, where the use case knows more than one aggregate.

use lyceum_domain::mentoring::{BookingError, RequestError, SessionError};

/// Why a mentoring use case refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MentoringError {
    /// A session rule refused (a state transition, an edit after the start, capacity).
    #[error(transparent)]
    Session(SessionError),
    /// A booking rule refused (full, own session, duplicate, cut-off…).
    #[error(transparent)]
    Booking(BookingError),
    /// A request rule refused (a transition the state machine does not allow).
    #[error(transparent)]
    Request(RequestError),
    /// Mentoring — running and editing sessions, publishing availability, accepting
    /// requests — needs an account that mentors; learning needs none.
    #[error("this needs the mentor role")]
    MentorRoleRequired,
    /// The session's mentor no longer mentors (the role was removed or the account
    /// closed), so nobody may take a seat in their sessions any more; their sessions can
    /// still be cancelled.
    #[error("the session's mentor no longer mentors, so it cannot be booked")]
    MentorInactive,
    /// The session changed state while this change was being made.
    #[error("the session changed state meanwhile")]
    SessionChanged,
    /// The capacity would go below the seats already taken (seen by the store's guard).
    #[error("the capacity cannot go below the seats already taken")]
    CapacityBelowSeatsTaken,
    /// The booking is no longer pending or confirmed.
    #[error("the booking is no longer live")]
    BookingNotLive,
    /// The seat hold of a paid booking ran out before payment.
    #[error("the seat hold expired")]
    HoldExpired,
    /// The payment provider refused the charge; carries the provider's reason.
    #[error("payment declined: {0}")]
    PaymentDeclined(String),
    /// The request changed state while this change was being made.
    #[error("the request changed state meanwhile")]
    RequestChanged,
    /// Mentors decline a pending request; only learners cancel one.
    #[error("a mentor declines a pending request rather than cancelling it")]
    MentorMustDecline,
    /// Accepting a request whose proposed start has passed.
    #[error("the proposed start has passed")]
    RequestStartPassed,
    /// Feedback opens once the session is completed.
    #[error("feedback opens once the session is completed")]
    FeedbackNotOpen,
    /// Feedback for this booking exists already.
    #[error("feedback for this booking exists already")]
    FeedbackExists,
    /// Learners are rated in 1:1 sessions only.
    #[error("learners are rated in 1:1 sessions only")]
    RatingNotOneToOne,
    /// Ratings open once the session is completed.
    #[error("ratings open once the session is completed")]
    RatingNotOpen,
    /// Nobody attended the session, so there is nobody to rate.
    #[error("nobody attended this session")]
    RatingNoLearner,
    /// This session's learner was rated already.
    #[error("this session's learner was rated already")]
    RatingExists,
}
