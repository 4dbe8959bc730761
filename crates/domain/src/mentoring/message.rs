//! Messages between people who share mentoring (Mentori Messages).

use time::OffsetDateTime;
use uuid::Uuid;

use crate::validation::text::{self, ControlCharacters};
use crate::validation::{FieldRule, Violation};

/// A message text outside 1–2000 characters, or with control characters other than tabs
/// and line breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MessageBodyError {
    /// Nothing to send once trimmed.
    #[error("must be 1 to 2000 characters")]
    Empty,
    /// Over 2000 characters.
    #[error("must be 1 to 2000 characters")]
    TooLong,
    /// Characters a multi-line text refuses (see [`crate::validation::text`]).
    #[error(transparent)]
    Characters(#[from] ControlCharacters),
}

impl FieldRule for MessageBodyError {
    fn violation(&self) -> Violation {
        match self {
            MessageBodyError::Empty => Violation::Required,
            MessageBodyError::TooLong => Violation::TooLong,
            MessageBodyError::Characters(refusal) => refusal.violation(),
        }
    }
}

/// A message's text: multi-line, 1–2000 characters after trimming.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageBody(String);

impl MessageBody {
    /// Checks the characters, trims and bounds the text.
    pub fn parse(raw: &str) -> Result<Self, MessageBodyError> {
        text::multi_line(raw)?;
        let text = raw.trim();
        if text.is_empty() {
            return Err(MessageBodyError::Empty);
        }
        if text.chars().count() > 2000 {
            return Err(MessageBodyError::TooLong);
        }
        Ok(Self(text.to_owned()))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::ops::Deref for MessageBody {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for MessageBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// One direct message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// Id (UUIDv7: orders the history).
    pub id: Uuid,
    /// Author.
    pub sender_id: Uuid,
    /// Addressee.
    pub recipient_id: Uuid,
    /// Text.
    pub body: MessageBody,
    /// Sent at.
    pub created_at: OffsetDateTime,
    /// When the recipient read it.
    pub read_at: Option<OffsetDateTime>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_is_one_to_two_thousand_characters() {
        assert_eq!(MessageBody::parse("   "), Err(MessageBodyError::Empty));
        assert!(MessageBody::parse(&"x".repeat(2000)).is_ok());
        assert_eq!(
            MessageBody::parse(&"x".repeat(2001)),
            Err(MessageBodyError::TooLong)
        );
    }

    #[test]
    fn a_body_keeps_its_lines_and_refuses_other_controls() {
        assert_eq!(
            MessageBody::parse("See you at 10.\n\nBring\tyour laptop.\n")
                .unwrap()
                .as_str(),
            "See you at 10.\n\nBring\tyour laptop."
        );
        assert_eq!(MessageBody::parse("\n\r\n"), Err(MessageBodyError::Empty));
        for raw in ["ding\u{7}", "\u{0}", "a\u{9b}b", "a\u{b}b"] {
            assert!(
                matches!(
                    MessageBody::parse(raw),
                    Err(MessageBodyError::Characters(_))
                ),
                "{raw:?}"
            );
        }
    }
}
