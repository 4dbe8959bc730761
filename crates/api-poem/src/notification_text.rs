//! How the HTTP API words a notification and links it: the use cases store only what
//! happened (kind, subject, facts), and this adapter turns that into a title, a sentence
//! and an API path when a client reads it. Times are shown as stored, RFC 3339 in UTC.

use lyceum_domain::community::{Notification, NotificationKind, Subject, SubjectKind};
use serde_json::Value;

/// The API path of what a notification is about.
pub fn link(subject: &Subject) -> String {
    let id = subject.id;
    match subject.kind {
        SubjectKind::MentoringSession => format!("/api/v1/mentoring-sessions/{id}"),
        SubjectKind::SessionRoster => format!("/api/v1/mentoring-sessions/{id}/bookings"),
        SubjectKind::Booking => format!("/api/v1/bookings/{id}"),
        SubjectKind::MentorshipRequest => format!("/api/v1/mentorship-requests/{id}"),
        SubjectKind::Conversation => format!("/api/v1/me/conversations/{id}"),
        SubjectKind::MentorFeedback => format!("/api/v1/mentors/{id}/feedback"),
    }
}

/// A title and one sentence for a notification, from its kind and facts. Facts an older
/// notification lacks are left out of the sentence rather than shown empty.
pub fn wording(notification: &Notification, facts: &Value) -> (String, String) {
    let text = |key: &str| facts.get(key).and_then(Value::as_str).map(str::to_owned);
    let quoted = |key: &str| text(key).map(|t| format!(" \"{t}\""));
    let at = |key: &str| text(key).map(|t| format!(" at {t}")).unwrap_or_default();
    let session = quoted("session_title").unwrap_or_else(|| " a session".to_owned());
    let for_mentor = text("audience").as_deref() == Some("mentor");
    let (title, message) = match notification.kind {
        NotificationKind::BookingConfirmed if for_mentor => (
            "New booking",
            format!("A learner booked a seat in{session}."),
        ),
        NotificationKind::BookingConfirmed => (
            "Booking confirmed",
            format!("Your seat in{session}{} is confirmed.", at("starts_at")),
        ),
        NotificationKind::BookingCancelled => match text("cancelled_by").as_deref() {
            Some("learner") => (
                "Booking cancelled",
                format!("A learner cancelled their seat in{session}."),
            ),
            Some("mentor") => (
                "Booking cancelled",
                format!("Your seat in{session} was cancelled by the mentor."),
            ),
            _ if text("reason").as_deref() == Some("hold_expired") => (
                "Seat released",
                "Your seat hold expired before payment, so the seat was released.".to_owned(),
            ),
            _ => ("Booking cancelled", "A booking was cancelled.".to_owned()),
        },
        NotificationKind::SessionCancelled => (
            "Session cancelled",
            format!(
                "{}{} was cancelled by its mentor.",
                capitalised(session.trim_start()),
                at("starts_at")
            ),
        ),
        NotificationKind::SessionRescheduled if text("to_session_id").is_some() => (
            "Booking moved",
            format!(
                "A seat moved from{}{} to{}{}.",
                quoted("from_title").unwrap_or_default(),
                at("from_starts_at"),
                quoted("to_title").unwrap_or_default(),
                at("to_starts_at")
            ),
        ),
        NotificationKind::SessionRescheduled => (
            "Session moved",
            format!(
                "{} now starts{}.",
                capitalised(session.trim_start()),
                at("starts_at")
            ),
        ),
        NotificationKind::RequestReceived => (
            "New mentorship request",
            format!(
                "You were asked for a 1:1{}.",
                quoted("request_subject")
                    .map(|s| format!(":{s}"))
                    .unwrap_or_default()
            ),
        ),
        NotificationKind::RequestAccepted => (
            "Request accepted",
            format!(
                "Your request{} was accepted.",
                quoted("request_subject").unwrap_or_default()
            ),
        ),
        NotificationKind::RequestDeclined => (
            "Request declined",
            format!(
                "Your request{} was declined.",
                quoted("request_subject").unwrap_or_default()
            ),
        ),
        NotificationKind::RequestCancelled => (
            "Request cancelled",
            format!(
                "The request{} was cancelled.",
                quoted("request_subject").unwrap_or_default()
            ),
        ),
        NotificationKind::NewMessage => {
            let title = text("sender_username").map_or_else(
                || "New message".to_owned(),
                |from| format!("Message from {from}"),
            );
            return (title, text("preview").unwrap_or_default());
        }
        NotificationKind::FeedbackReceived => (
            "New feedback",
            match facts.get("session_rating").and_then(Value::as_i64) {
                Some(rating) => format!("A learner rated{session} {rating}/5."),
                None => format!("A learner left feedback on{session}."),
            },
        ),
        NotificationKind::SessionReminder24h | NotificationKind::SessionReminder1h => {
            let when = if notification.kind == NotificationKind::SessionReminder24h {
                "tomorrow"
            } else {
                "within the hour"
            };
            if for_mentor {
                (
                    "Your session is coming up",
                    format!("You run{session} {when}{}.", at("starts_at")),
                )
            } else {
                (
                    "Session reminder",
                    format!(
                        "{} starts {when}{}.",
                        capitalised(session.trim_start()),
                        at("starts_at")
                    ),
                )
            }
        }
    };
    (title.to_owned(), message)
}

/// The text with its first letter upper-cased, for sentences built from parts.
pub(crate) fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use time::macros::datetime;
    use uuid::Uuid;

    use super::*;

    fn notification(kind: NotificationKind) -> Notification {
        Notification {
            id: Uuid::now_v7(),
            user_id: Uuid::now_v7(),
            kind,
            subject: None,
            data: "{}".into(),
            read_at: None,
            created_at: datetime!(2026-11-23 10:00 UTC),
        }
    }

    #[test]
    fn the_same_kind_is_worded_for_its_reader() {
        let facts = json!({"audience": "learner", "session_title": "Rust ownership",
                           "starts_at": "2026-11-26T10:27:07Z"});
        let (title, message) = wording(&notification(NotificationKind::BookingConfirmed), &facts);
        assert_eq!(title, "Booking confirmed");
        assert_eq!(
            message,
            "Your seat in \"Rust ownership\" at 2026-11-26T10:27:07Z is confirmed."
        );
        let facts = json!({"audience": "mentor", "session_title": "Rust ownership"});
        let (title, message) = wording(&notification(NotificationKind::BookingConfirmed), &facts);
        assert_eq!(title, "New booking");
        assert_eq!(message, "A learner booked a seat in \"Rust ownership\".");
    }

    #[test]
    fn a_message_notification_names_its_sender_and_previews_the_text() {
        let facts = json!({"sender_username": "asha", "preview": "See you at ten"});
        let (title, message) = wording(&notification(NotificationKind::NewMessage), &facts);
        assert_eq!(
            (title.as_str(), message.as_str()),
            ("Message from asha", "See you at ten")
        );
    }

    #[test]
    fn missing_facts_leave_no_holes() {
        let (_, message) = wording(
            &notification(NotificationKind::SessionReminder1h),
            &json!({}),
        );
        assert_eq!(message, "A session starts within the hour.");
    }

    #[test]
    fn every_subject_kind_links_to_its_resource() {
        let id = Uuid::now_v7();
        assert_eq!(
            link(&Subject::new(SubjectKind::MentorFeedback, id)),
            format!("/api/v1/mentors/{id}/feedback")
        );
        assert_eq!(
            link(&Subject::new(SubjectKind::Booking, id)),
            format!("/api/v1/bookings/{id}")
        );
        assert_eq!(
            link(&Subject::new(SubjectKind::SessionRoster, id)),
            format!("/api/v1/mentoring-sessions/{id}/bookings")
        );
    }
}
