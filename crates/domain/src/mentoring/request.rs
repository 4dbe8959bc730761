//! Mentorship requests: a learner asks a specific mentor for a 1:1 meeting (Mentori
//! Session in `pending`, PeerLearn Request).

use time::OffsetDateTime;
use uuid::Uuid;

use crate::validation::text::{self, ControlCharacters};
use crate::validation::{FieldRule, Violation};

/// Why a request was refused or could not change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    /// Subject blank.
    #[error("subject must be 1 to 200 characters")]
    EmptySubject,
    /// Subject over 200 characters.
    #[error("subject must be 1 to 200 characters")]
    LongSubject,
    /// Message or notes too long.
    #[error("must be at most 2000 characters")]
    TooLong,
    /// A subject that is not a single line of text (see [`crate::validation::text`]).
    #[error(transparent)]
    SubjectCharacters(ControlCharacters),
    /// A message, notes or answer with control characters other than tabs and line
    /// breaks.
    #[error(transparent)]
    TextCharacters(ControlCharacters),
    /// Duration outside 30–180 minutes.
    #[error("duration must be between 30 and 180 minutes")]
    Duration,
    /// Proposed time not in the future.
    #[error("proposed start must be in the future")]
    StartInPast,
    /// Proposed time beyond the scheduling horizon.
    #[error("proposed start must be within 10 years from now")]
    StartTooFar,
    /// Nobody requests themself.
    #[error("you cannot request a session with yourself")]
    SelfRequest,
    /// A transition the state machine does not allow.
    #[error("a {from} request cannot become {to}")]
    InvalidTransition {
        /// Current status.
        from: RequestStatus,
        /// Wanted status.
        to: RequestStatus,
    },
}

impl FieldRule for RequestError {
    /// A refused transition is [`Violation::NotAllowed`]: the same change is fine from
    /// another state.
    fn violation(&self) -> Violation {
        match self {
            RequestError::EmptySubject => Violation::Required,
            RequestError::LongSubject | RequestError::TooLong => Violation::TooLong,
            RequestError::Duration | RequestError::StartInPast | RequestError::StartTooFar => {
                Violation::OutOfRange
            }
            RequestError::SelfRequest | RequestError::InvalidTransition { .. } => {
                Violation::NotAllowed
            }
            RequestError::SubjectCharacters(refusal) | RequestError::TextCharacters(refusal) => {
                refusal.violation()
            }
        }
    }
}

/// A request's life: `pending → accepted → completed`, `pending → declined`,
/// `pending|accepted → cancelled`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RequestStatus {
    /// Waiting for the mentor.
    Pending,
    /// The mentor said yes; a 1:1 session exists.
    Accepted,
    /// The mentor said no.
    Declined,
    /// Withdrawn (pending) or called off (accepted).
    Cancelled,
    /// The 1:1 took place.
    Completed,
}

impl RequestStatus {
    /// Stable name.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Accepted => "accepted",
            Self::Declined => "declined",
            Self::Cancelled => "cancelled",
            Self::Completed => "completed",
        }
    }

    /// Parses the stable name.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "pending" => Some(Self::Pending),
            "accepted" => Some(Self::Accepted),
            "declined" => Some(Self::Declined),
            "cancelled" => Some(Self::Cancelled),
            "completed" => Some(Self::Completed),
            _ => None,
        }
    }

    /// `Ok(to)` if the request state machine (docs/domain-model.md) allows it, otherwise
    /// the typed error.
    pub fn transition(&self, to: RequestStatus) -> Result<RequestStatus, RequestError> {
        use RequestStatus::*;
        let allowed = matches!(
            (self, to),
            (Pending, Accepted)
                | (Accepted, Completed)
                | (Pending, Declined)
                | (Pending | Accepted, Cancelled)
        );
        if allowed {
            Ok(to)
        } else {
            Err(RequestError::InvalidTransition { from: *self, to })
        }
    }
}

impl std::fmt::Display for RequestStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A learner's request for a 1:1 with a mentor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MentorshipRequest {
    /// Id.
    pub id: Uuid,
    /// Who asks.
    pub learner_id: Uuid,
    /// Whom.
    pub mentor_id: Uuid,
    /// About what.
    pub subject: RequestSubject,
    /// The learner's message.
    pub message: RequestMessage,
    /// Proposed start (UTC).
    pub proposed_start: OffsetDateTime,
    /// Proposed length, 30–180 minutes.
    pub duration_minutes: u16,
    /// Extra notes.
    pub notes: Option<RequestNote>,
    /// Status.
    pub status: RequestStatus,
    /// The mentor's answer (required wording on decline).
    pub response_message: Option<RequestNote>,
    /// The 1:1 session created on acceptance.
    pub session_id: Option<Uuid>,
    /// Created.
    pub created_at: OffsetDateTime,
    /// Last changed.
    pub updated_at: OffsetDateTime,
}

impl MentorshipRequest {
    /// End of the proposed meeting.
    pub fn proposed_end(&self) -> OffsetDateTime {
        self.proposed_start + time::Duration::minutes(i64::from(self.duration_minutes))
    }
}

/// A request's subject: single-line, 1–200 characters after trimming.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestSubject(String);

impl RequestSubject {
    /// Checks the characters, trims and bounds the text.
    pub fn parse(raw: &str) -> Result<Self, RequestError> {
        text::single_line(raw).map_err(RequestError::SubjectCharacters)?;
        let text = raw.trim();
        if text.is_empty() {
            return Err(RequestError::EmptySubject);
        }
        if text.chars().count() > 200 {
            return Err(RequestError::LongSubject);
        }
        Ok(Self(text.to_owned()))
    }
}

text_newtype!(RequestSubject);

/// A request's message: multi-line, at most 2000 characters (counted before trimming),
/// empty allowed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestMessage(String);

impl RequestMessage {
    /// Checks the characters, bounds and trims the text.
    pub fn parse(raw: &str) -> Result<Self, RequestError> {
        text::multi_line(raw).map_err(RequestError::TextCharacters)?;
        if raw.chars().count() > 2000 {
            return Err(RequestError::TooLong);
        }
        Ok(Self(raw.trim().to_owned()))
    }
}

text_newtype!(RequestMessage);

/// A request's notes, or the mentor's answer to it: multi-line, at most 2000 characters
/// (counted before trimming); a blank text is no text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestNote(String);

impl RequestNote {
    /// Checks the characters, bounds and trims the text; `None` when it is blank.
    pub fn parse(raw: &str) -> Result<Option<Self>, RequestError> {
        text::multi_line(raw).map_err(RequestError::TextCharacters)?;
        if raw.chars().count() > 2000 {
            return Err(RequestError::TooLong);
        }
        let trimmed = raw.trim();
        Ok((!trimmed.is_empty()).then(|| Self(trimmed.to_owned())))
    }
}

text_newtype!(RequestNote);

/// The validated fields of a new request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestDetails {
    /// Subject.
    pub subject: RequestSubject,
    /// Message.
    pub message: RequestMessage,
    /// Proposed start.
    pub proposed_start: OffsetDateTime,
    /// 30–180 minutes.
    pub duration_minutes: u16,
    /// Notes.
    pub notes: Option<RequestNote>,
}

impl RequestDetails {
    /// Applies the Mentori rules: subject 1–200, message and notes ≤ 2000, a future start,
    /// 30–180 minutes, and never to oneself.
    #[allow(clippy::too_many_arguments)] // one argument per form field, all checked together
    pub fn parse(
        learner_id: Uuid,
        mentor_id: Uuid,
        subject: &str,
        message: &str,
        proposed_start: OffsetDateTime,
        duration_minutes: i64,
        notes: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<Self, Vec<(&'static str, RequestError)>> {
        let mut errors = Vec::new();
        if learner_id == mentor_id {
            errors.push(("mentor_id", RequestError::SelfRequest));
        }
        let subject = RequestSubject::parse(subject)
            .map_err(|e| errors.push(("subject", e)))
            .ok();
        let message = RequestMessage::parse(message)
            .map_err(|e| errors.push(("message", e)))
            .ok();
        let notes = match notes.map(RequestNote::parse).transpose() {
            Ok(notes) => notes.flatten(),
            Err(e) => {
                errors.push(("notes", e));
                None
            }
        };
        if proposed_start <= now {
            errors.push(("proposed_start", RequestError::StartInPast));
        } else if proposed_start > now + super::SCHEDULING_HORIZON {
            errors.push(("proposed_start", RequestError::StartTooFar));
        }
        let duration = u16::try_from(duration_minutes)
            .ok()
            .filter(|d| (30..=180).contains(d));
        if duration.is_none() {
            errors.push(("duration_minutes", RequestError::Duration));
        }
        match (subject, message, duration) {
            (Some(subject), Some(message), Some(duration_minutes)) if errors.is_empty() => {
                Ok(Self {
                    subject,
                    message,
                    proposed_start,
                    duration_minutes,
                    notes,
                })
            }
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn a_note_is_bounded_trimmed_and_blank_is_none() {
        assert_eq!(RequestNote::parse("   ").unwrap(), None);
        assert_eq!(
            RequestNote::parse("  see you  ").unwrap().unwrap().as_str(),
            "see you"
        );
        assert_eq!(
            RequestNote::parse(&"x".repeat(2001)),
            Err(RequestError::TooLong)
        );
        assert!(RequestNote::parse(&"x".repeat(2000)).unwrap().is_some());
    }

    #[test]
    fn the_subject_is_one_line_and_the_texts_may_be_several() {
        use crate::validation::text::TextKind;
        for raw in ["Rust\tasync", "Rust\n", "Rust\u{1b}", "Rust\u{2028}async"] {
            assert_eq!(
                RequestSubject::parse(raw),
                Err(RequestError::SubjectCharacters(ControlCharacters(
                    TextKind::SingleLine
                ))),
                "{raw:?}"
            );
        }
        let multi = RequestError::TextCharacters(ControlCharacters(TextKind::MultiLine));
        assert_eq!(
            RequestMessage::parse("Hi,\n\tcould we meet?\r\n")
                .unwrap()
                .as_str(),
            "Hi,\n\tcould we meet?"
        );
        assert_eq!(RequestMessage::parse("Hi\u{0}"), Err(multi.clone()));
        assert_eq!(RequestNote::parse("a\u{c}b"), Err(multi));
        assert_eq!(RequestNote::parse("\n\t\n"), Ok(None));
    }

    #[test]
    fn only_the_allowed_transitions_exist() {
        use RequestStatus::*;
        let all = [Pending, Accepted, Declined, Cancelled, Completed];
        let allowed = [
            (Pending, Accepted),
            (Accepted, Completed),
            (Pending, Declined),
            (Pending, Cancelled),
            (Accepted, Cancelled),
        ];
        for from in all {
            for to in all {
                assert_eq!(
                    from.transition(to).is_ok(),
                    allowed.contains(&(from, to)),
                    "{from} -> {to}"
                );
            }
        }
    }

    #[test]
    fn nobody_requests_themself_and_every_bad_field_is_reported() {
        let now = datetime!(2026-11-22 10:00 UTC);
        let me = Uuid::from_u128(1);
        let errors = RequestDetails::parse(me, me, "", "hi", now, 20, None, now).unwrap_err();
        let fields: Vec<_> = errors.iter().map(|(f, _)| *f).collect();
        assert_eq!(
            fields,
            ["mentor_id", "subject", "proposed_start", "duration_minutes"]
        );
        assert!(
            RequestDetails::parse(
                me,
                Uuid::from_u128(2),
                "Rust",
                "hi",
                now + time::Duration::days(1),
                60,
                None,
                now
            )
            .is_ok()
        );
    }
}
