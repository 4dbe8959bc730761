//! Mentoring use cases: sessions, availability, bookings, mentorship requests, messages,
//! feedback and ratings, and the background jobs that move time-driven states.
//!
//! Seed rules enforced here (values and transitions are checked by the domain types; the
//! capacity and uniqueness rules are repeated by the database inside the writes):
//! - every account may learn (book, send requests); mentoring (creating and editing
//!   sessions, publishing availability, receiving and accepting requests, being booked)
//!   needs an account that mentors (`User::can_mentor`); nobody books their own session
//!   or requests themself;
//! - only the session's mentor edits it; cancelling a session cancels its bookings and
//!   tells every booked learner;
//! - a mentor cannot be in two places at once: creating, moving or accepting never gives
//!   a mentor two overlapping sessions (checked by the stores under a lock on the mentor);
//! - learners book future sessions they do not run, once each, never past capacity;
//!   free sessions confirm at once, paid ones hold the seat until paid;
//! - learners cancel until the cut-off, mentors any time; rescheduling moves the seat;
//! - requests follow their state machine (docs/domain-model.md); accepting creates a
//!   1:1 with a booking;
//! - messages only between people who share mentoring; feedback only after completion;
//! - a calendar feed URL opens only its owner's sessions, and only while it is the
//!   owner's newest one and the owner may sign in.

mod availability;
mod bookings;
mod calendar;
mod error;
mod feedback;
pub mod jobs;
mod messages;
mod requests;
mod sessions;

pub use availability::AvailabilityInput;
pub use bookings::BookingResult;
pub use calendar::IssuedCalendarFeed;
pub use error::MentoringError;
pub use feedback::FeedbackInput;
pub use requests::{RequestAction, RequestInput};
pub use sessions::{SessionInput, SessionPatch, SessionView};

use lyceum_domain::mentoring::{BookingError, RequestError, SessionError};

use crate::AppError;

impl From<SessionError> for AppError {
    /// Value rules become field errors of the session input; state rules stay typed.
    fn from(error: SessionError) -> Self {
        let field = match error {
            SessionError::EmptyTitle
            | SessionError::LongTitle
            | SessionError::TitleCharacters(_) => "title",
            SessionError::Description | SessionError::DescriptionCharacters(_) => "description",
            SessionError::Duration => "duration_minutes",
            SessionError::Capacity => "capacity",
            SessionError::StartInPast | SessionError::StartTooFar => "starts_at",
            SessionError::MeetingUrl | SessionError::MeetingUrlCharacters(_) => "meeting_url",
            SessionError::InvalidTransition { .. }
            | SessionError::NotEditable
            | SessionError::Overlaps { .. }
            | SessionError::CapacityBelowSeatsTaken { .. } => {
                return MentoringError::Session(error).into();
            }
        };
        AppError::rejected(field, error)
    }
}

impl From<BookingError> for AppError {
    fn from(error: BookingError) -> Self {
        MentoringError::Booking(error).into()
    }
}

impl From<RequestError> for AppError {
    /// Value rules become field errors of the request input; transitions stay typed.
    fn from(error: RequestError) -> Self {
        let field = match error {
            RequestError::SelfRequest => "mentor_id",
            RequestError::EmptySubject
            | RequestError::LongSubject
            | RequestError::SubjectCharacters(_) => "subject",
            RequestError::TooLong | RequestError::TextCharacters(_) => "message",
            RequestError::Duration => "duration_minutes",
            RequestError::StartInPast | RequestError::StartTooFar => "proposed_start",
            RequestError::InvalidTransition { .. } => {
                return MentoringError::Request(error).into();
            }
        };
        AppError::rejected(field, error)
    }
}

#[cfg(test)]
mod tests;
