//! Messages between people who share mentoring (Mentori Messages).

use time::OffsetDateTime;
use uuid::Uuid;

use crate::validation::{FieldRule, Violation};

/// A message text outside 1–2000 characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MessageBodyError {
    /// Nothing to send once trimmed.
    #[error("must be 1 to 2000 characters")]
    Empty,
    /// Over 2000 characters.
    #[error("must be 1 to 2000 characters")]
    TooLong,
}

impl FieldRule for MessageBodyError {
    fn violation(&self) -> Violation {
        match self {
            MessageBodyError::Empty => Violation::Required,
            MessageBodyError::TooLong => Violation::TooLong,
        }
    }
}

/// A message's text: 1–2000 characters after trimming.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageBody(String);

impl MessageBody {
    /// Trims and bounds the text.
    pub fn parse(raw: &str) -> Result<Self, MessageBodyError> {
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
}
