//! Notifications: what a user should know about, shown in-app and pushed live.

use time::OffsetDateTime;
use uuid::Uuid;

/// What a notification is about. The stored name is stable; clients switch on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NotificationKind {
    /// A booking of mine was confirmed.
    BookingConfirmed,
    /// A booking of mine (or in my session) was cancelled.
    BookingCancelled,
    /// A session I booked was cancelled by its mentor.
    SessionCancelled,
    /// A session I booked moved, or my booking moved to another session.
    SessionRescheduled,
    /// A learner asked me for a 1:1.
    RequestReceived,
    /// My request was accepted.
    RequestAccepted,
    /// My request was declined.
    RequestDeclined,
    /// A request was cancelled by the other side.
    RequestCancelled,
    /// Someone wrote to me.
    NewMessage,
    /// A learner left feedback on my session.
    FeedbackReceived,
    /// A session starts in 24 hours.
    SessionReminder24h,
    /// A session starts in 1 hour.
    SessionReminder1h,
}

impl NotificationKind {
    /// Stable name.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::BookingConfirmed => "booking_confirmed",
            Self::BookingCancelled => "booking_cancelled",
            Self::SessionCancelled => "session_cancelled",
            Self::SessionRescheduled => "session_rescheduled",
            Self::RequestReceived => "request_received",
            Self::RequestAccepted => "request_accepted",
            Self::RequestDeclined => "request_declined",
            Self::RequestCancelled => "request_cancelled",
            Self::NewMessage => "new_message",
            Self::FeedbackReceived => "feedback_received",
            Self::SessionReminder24h => "session_reminder_24h",
            Self::SessionReminder1h => "session_reminder_1h",
        }
    }

    /// Parses the stable name.
    pub fn parse(raw: &str) -> Option<Self> {
        [
            Self::BookingConfirmed,
            Self::BookingCancelled,
            Self::SessionCancelled,
            Self::SessionRescheduled,
            Self::RequestReceived,
            Self::RequestAccepted,
            Self::RequestDeclined,
            Self::RequestCancelled,
            Self::NewMessage,
            Self::FeedbackReceived,
            Self::SessionReminder24h,
            Self::SessionReminder1h,
        ]
        .into_iter()
        .find(|k| k.as_str() == raw)
    }
}

/// The kind of thing a notification is about. Adapters turn it into a link (the HTTP
/// adapter into an API path, a mail into a web address), so no address is ever stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SubjectKind {
    /// A mentoring session.
    MentoringSession,
    /// The bookings of a mentoring session, as its mentor sees them; the id is the session's.
    SessionRoster,
    /// A booking.
    Booking,
    /// A mentorship request.
    MentorshipRequest,
    /// My conversation with another user; the id is that user's.
    Conversation,
    /// The feedback a mentor received; the id is the mentor's.
    MentorFeedback,
}

impl SubjectKind {
    /// Stable name, as stored.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::MentoringSession => "mentoring_session",
            Self::SessionRoster => "session_roster",
            Self::Booking => "booking",
            Self::MentorshipRequest => "mentorship_request",
            Self::Conversation => "conversation",
            Self::MentorFeedback => "mentor_feedback",
        }
    }

    /// Parses the stable name.
    pub fn parse(raw: &str) -> Option<Self> {
        [
            Self::MentoringSession,
            Self::SessionRoster,
            Self::Booking,
            Self::MentorshipRequest,
            Self::Conversation,
            Self::MentorFeedback,
        ]
        .into_iter()
        .find(|k| k.as_str() == raw)
    }
}

/// What a notification points at: a kind of thing and its id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Subject {
    /// What kind of thing.
    pub kind: SubjectKind,
    /// Which one.
    pub id: Uuid,
}

impl Subject {
    /// A subject of a kind.
    pub fn new(kind: SubjectKind, id: Uuid) -> Self {
        Self { kind, id }
    }
}

/// One notification for one user. It stores facts, not sentences: the kind, the subject
/// and the data the wording needs. Each adapter words it for its reader (language, time
/// zone) when it shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    /// Id (UUIDv7).
    pub id: Uuid,
    /// For whom.
    pub user_id: Uuid,
    /// What happened.
    pub kind: NotificationKind,
    /// What it is about, when it is about one thing.
    pub subject: Option<Subject>,
    /// Ids and facts for clients and for the wording, as a JSON object string.
    pub data: String,
    /// When read.
    pub read_at: Option<OffsetDateTime>,
    /// Created.
    pub created_at: OffsetDateTime,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_through_their_stable_names() {
        for kind in [
            NotificationKind::NewMessage,
            NotificationKind::SessionReminder1h,
            NotificationKind::RequestDeclined,
        ] {
            assert_eq!(NotificationKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(NotificationKind::parse("nope"), None);
        for kind in [
            SubjectKind::Booking,
            SubjectKind::SessionRoster,
            SubjectKind::MentorFeedback,
        ] {
            assert_eq!(SubjectKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(SubjectKind::parse("nope"), None);
    }
}
