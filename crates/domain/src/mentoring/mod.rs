//! Mentoring (PeerLearn, Mentori, MedicalEdu).
//!
//! Seed rules implemented here (what the seeds are: docs/domain-model.md):
//! - PeerLearn Session / MedicalEdu AvailabilitySlot: a mentoring session has a mentor, a
//!   duration of 15–480 minutes, a price (0 = free), a capacity of at least one and a
//!   start in the future; `scheduled → active → completed`, `scheduled|active → cancelled`.
//! - PeerLearn Booking / MedicalEdu Bookings: one learner's seat; never more seats taken
//!   than capacity; one live booking per learner per session; `pending → confirmed →
//!   completed`, `pending|confirmed → cancelled`; rescheduling moves the seat atomically.
//! - Lyceum: a mentor cannot be in two places at once; scheduled and active sessions of
//!   one mentor never overlap (`check_mentor_free`).
//! - Mentori Session / PeerLearn Request: a mentorship request with its strict state
//!   machine; accepting creates a 1:1 session with a confirmed booking.
//! - MedicalEdu recurring availability in the mentor's time zone, with exceptions.
//! - PeerLearn Feedback (seven 1–5 scores) and Mentori ratings, after completion only.
//! - Mentori messages: 1–2000 characters between people who share mentoring.

/// Writes a text newtype's `Deref<Target = str>`, `Display` and `as_str`.
macro_rules! text_newtype {
    ($name:ident) => {
        impl $name {
            /// The text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::ops::Deref for $name {
            type Target = str;

            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

/// Weekly availability in the mentor's time zone, expanded into free UTC slots.
pub mod availability;
mod booking;
mod feedback;
mod message;
mod request;
mod session;

pub use booking::{
    Booking, BookingError, BookingStart, BookingStatus, CancellationReason,
    CancellationReasonError, Canceller, PaymentStatus, check_booking, check_cancellation,
    check_reschedule,
};
pub use feedback::{
    Feedback, FeedbackScores, FeedbackText, FeedbackTextError, LearnerRating, Rating, RatingError,
    RatingSummary,
};
pub use message::{Message, MessageBody, MessageBodyError};
pub use request::{
    MentorshipRequest, RequestDetails, RequestError, RequestMessage, RequestNote, RequestStatus,
    RequestSubject,
};
pub use session::{
    Capacity, MeetingUrl, MentoringSession, Popularity, SCHEDULING_HORIZON, SessionDescription,
    SessionDetails, SessionDuration, SessionError, SessionStatus, SessionTitle, check_mentor_free,
    generated_meeting_url,
};
