//! HTTP operations of the mentoring context (tag `Mentoring`): sessions and discovery,
//! bookings, availability, mentorship requests, messages, feedback and ratings, and
//! calendars for calendar apps.

mod bookings;
pub mod calendar;
pub mod dto;
mod mentors;
mod messages;
mod requests;
mod sessions;

pub use bookings::BookingsApi;
pub use calendar::CalendarApi;
pub use mentors::MentorsApi;
pub use messages::MessagesApi;
pub use requests::RequestsApi;
pub use sessions::SessionsApi;
