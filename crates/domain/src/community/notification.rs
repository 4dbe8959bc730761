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

/// One notification for one user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    /// Id (UUIDv7).
    pub id: Uuid,
    /// For whom.
    pub user_id: Uuid,
    /// What about.
    pub kind: NotificationKind,
    /// Short title.
    pub title: String,
    /// One or two sentences.
    pub message: String,
    /// API path of the thing it is about.
    pub link: Option<String>,
    /// Ids and facts for clients, as a JSON object string.
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
    }
}
