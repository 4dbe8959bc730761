//! Mentoring adapters: sessions, bookings, mentorship requests, availability, messages,
//! feedback and ratings.
//!
//! Database guards for the mentoring rules (docs/domain-model.md, "Mentoring"):
//! - never more seats taken than capacity, also under concurrent requests: the seat
//!   counter moves only in `UPDATE … WHERE seats_taken < capacity` (with the session
//!   scheduled and in the future) in the transaction that stores the booking, backed by
//!   `CHECK (seats_taken >= 0 AND seats_taken <= capacity)` (`ck_mentoring_sessions_seats`);
//!   see the private `guards` module;
//! - one live booking per learner and session: the partial unique index
//!   `ux_bookings_live_learner`;
//! - rescheduling moves the seat atomically: target seat, booking and old seat in one
//!   transaction;
//! - every transition (session, booking, request) is an update guarded by the status it
//!   leaves, so concurrent callers (several server processes included) change a row once;
//! - one feedback per booking (`ux_feedback_booking_id`), one rating per rater and session
//!   (`ux_learner_ratings_session_id_rater_id`);
//! - one calendar feed per user (its primary key), replaced by a single upsert, so only
//!   the newest feed URL works even when two requests race.

mod availability;
mod bookings;
mod calendar_feeds;
pub(crate) mod entities;
mod feedback;
mod guards;
mod messages;
mod requests;
mod rows;
mod sessions;

pub use availability::AvailabilityStore;
pub use bookings::BookingStore;
pub use calendar_feeds::CalendarFeedStore;
pub use feedback::FeedbackStore;
pub use messages::MessageStore;
pub use requests::MentorshipRequestStore;
pub(crate) use rows::message_from_row;
pub use sessions::MentoringSessionStore;
