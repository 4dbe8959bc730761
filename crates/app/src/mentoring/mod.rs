//! Mentoring use cases: sessions, availability, bookings, mentorship requests, messages,
//! feedback and ratings, and the background jobs that move time-driven states.
//!
//! Seed rules enforced here (values and transitions are checked by the domain types; the
//! capacity and uniqueness rules are repeated by the database inside the writes):
//! - only mentors create sessions; only the session's mentor edits it; cancelling a
//!   session cancels its bookings and tells every booked learner;
//! - learners book future sessions they do not run, once each, never past capacity;
//!   free sessions confirm at once, paid ones hold the seat until paid;
//! - learners cancel until the cut-off, mentors any time; rescheduling moves the seat;
//! - requests follow their state machine (docs/domain-model.md); accepting creates a
//!   1:1 with a booking;
//! - messages only between people who share mentoring; feedback only after completion.

mod availability;
mod bookings;
mod feedback;
pub mod jobs;
mod messages;
mod requests;
mod sessions;

pub use availability::AvailabilityInput;
pub use bookings::BookingResult;
pub use feedback::FeedbackInput;
pub use requests::{RequestAction, RequestInput};
pub use sessions::{SessionInput, SessionPatch, SessionView};

use lyceum_domain::mentoring::{BookingError, RequestError, SessionError};

use crate::AppError;

impl From<SessionError> for AppError {
    fn from(error: SessionError) -> Self {
        match error {
            SessionError::InvalidTransition { .. } => {
                AppError::conflict("session.invalid_transition", error.to_string())
            }
            SessionError::NotEditable => {
                AppError::conflict("session.not_editable", error.to_string())
            }
            SessionError::CapacityBelowSeatsTaken { .. } => {
                AppError::conflict("session.capacity_below_seats_taken", error.to_string())
            }
            SessionError::Title => AppError::invalid("title", error.to_string()),
            SessionError::Description => AppError::invalid("description", error.to_string()),
            SessionError::Duration => AppError::invalid("duration_minutes", error.to_string()),
            SessionError::Capacity => AppError::invalid("capacity", error.to_string()),
            SessionError::StartInPast | SessionError::StartTooFar => {
                AppError::invalid("starts_at", error.to_string())
            }
            SessionError::MeetingUrl => AppError::invalid("meeting_url", error.to_string()),
        }
    }
}

impl From<BookingError> for AppError {
    fn from(error: BookingError) -> Self {
        let code = match error {
            BookingError::SessionFull { .. } => "booking.session_full",
            BookingError::SessionNotBookable => "booking.session_not_bookable",
            BookingError::OwnSession => "booking.own_session",
            BookingError::Duplicate => "booking.duplicate",
            BookingError::InvalidTransition { .. } => "booking.invalid_transition",
            BookingError::CancellationClosed { .. } => "booking.cancellation_closed",
            BookingError::OtherMentor => "booking.other_mentor",
            BookingError::PriceDiffers => "booking.price_differs",
            BookingError::SameSession => "booking.same_session",
        };
        AppError::conflict(code, error.to_string())
    }
}

impl From<RequestError> for AppError {
    fn from(error: RequestError) -> Self {
        match error {
            RequestError::InvalidTransition { .. } => {
                AppError::conflict("request.invalid_transition", error.to_string())
            }
            RequestError::SelfRequest => AppError::invalid("mentor_id", error.to_string()),
            RequestError::Subject => AppError::invalid("subject", error.to_string()),
            RequestError::TooLong => AppError::invalid("message", error.to_string()),
            RequestError::Duration => AppError::invalid("duration_minutes", error.to_string()),
            RequestError::StartInPast | RequestError::StartTooFar => {
                AppError::invalid("proposed_start", error.to_string())
            }
        }
    }
}

#[cfg(test)]
mod tests;
