//! Field-level validation problems, gathered so that a client learns about every bad
//! field of a request at once instead of fixing them one round trip at a time.
//!
//! Each problem carries a [`Violation`] from a small closed vocabulary next to its
//! wording: the wording is for the person who typed the value, the code is for the
//! program that shows it (highlight a missing field, count characters, offer the
//! allowed choices) and must not depend on parsing English.

use std::fmt;

pub mod text;

/// What kind of rule a refused value broke. The set is closed and its [`code`](Self::code)s
/// are part of the public API, so a client can switch on them exhaustively; a rule that
/// seems to need a new kind picks the closest one here instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Violation {
    /// Missing, empty or blank where a value is needed: the client forgot the field
    /// rather than got it wrong.
    Required,
    /// The wrong JSON type. Only the HTTP layer sees raw JSON; it is here so that the
    /// whole vocabulary lives in one place.
    InvalidType,
    /// Text shorter, or a list smaller, than the limit.
    TooShort,
    /// Text longer, or a list larger, than the limit.
    TooLong,
    /// A number or an instant outside its allowed range (negative, zero capacity, in the
    /// past, too far ahead, a rating outside 1–5).
    OutOfRange,
    /// Syntax the value must follow: email, URL, phone number, time zone, currency or
    /// country code, username or password shape, date.
    InvalidFormat,
    /// Not one of a fixed set of values (role, experience level, weekday).
    InvalidChoice,
    /// Characters the field refuses: control characters, and line breaks in a
    /// single-line field (see [`text`]).
    InvalidCharacters,
    /// Fine on its own but contradicts another field (an end before its start,
    /// overlapping windows).
    Inconsistent,
    /// A well-formed value that a rule refuses for this caller or in this state
    /// (requesting oneself, a capacity below the seats already taken).
    NotAllowed,
    /// A field the operation does not accept. Only the HTTP layer sees unknown fields.
    UnknownField,
}

impl Violation {
    /// Every violation, in declaration order, so that an API schema can list the
    /// vocabulary without repeating it.
    pub const ALL: [Violation; 11] = [
        Violation::Required,
        Violation::InvalidType,
        Violation::TooShort,
        Violation::TooLong,
        Violation::OutOfRange,
        Violation::InvalidFormat,
        Violation::InvalidChoice,
        Violation::InvalidCharacters,
        Violation::Inconsistent,
        Violation::NotAllowed,
        Violation::UnknownField,
    ];

    /// The stable snake_case code clients switch on; changing one breaks them.
    pub fn code(self) -> &'static str {
        match self {
            Violation::Required => "required",
            Violation::InvalidType => "invalid_type",
            Violation::TooShort => "too_short",
            Violation::TooLong => "too_long",
            Violation::OutOfRange => "out_of_range",
            Violation::InvalidFormat => "invalid_format",
            Violation::InvalidChoice => "invalid_choice",
            Violation::InvalidCharacters => "invalid_characters",
            Violation::Inconsistent => "inconsistent",
            Violation::NotAllowed => "not_allowed",
            Violation::UnknownField => "unknown_field",
        }
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// An error that can stand as one field's problem: its `Display` is the wording and
/// [`violation`](Self::violation) the code. Implemented by each parser's error so that
/// [`FieldErrors::check`] picks the code where the rule is defined, not at every call.
pub trait FieldRule: fmt::Display {
    /// Which kind of rule the value broke.
    fn violation(&self) -> Violation;
}

/// One rejected input value: which field, what kind of rule it broke and why in words a
/// client author can show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The field name as the client sent it (`email`, `profile.timezone`).
    pub field: String,
    /// The kind of rule broken, for programs.
    pub violation: Violation,
    /// Why the value was refused, for people.
    pub message: String,
}

impl FieldError {
    /// A problem with `field` of kind `violation`, explained by `message`.
    pub fn new(field: impl Into<String>, violation: Violation, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            violation,
            message: message.into(),
        }
    }

    /// `error` as the problem of `field`, with the error's own code and wording.
    pub fn rejected(field: impl Into<String>, error: impl FieldRule) -> Self {
        Self::new(field, error.violation(), error.to_string())
    }
}

/// Every problem found in one request; empty means the input was acceptable.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(Vec<FieldError>);

impl FieldErrors {
    /// No problems yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records a problem a caller found itself, with no parser error to describe it.
    pub fn push(
        &mut self,
        field: impl Into<String>,
        violation: Violation,
        message: impl Into<String>,
    ) {
        self.0.push(FieldError::new(field, violation, message));
    }

    /// Records a parser's error as the problem of `field`.
    pub fn reject(&mut self, field: impl Into<String>, error: impl FieldRule) {
        self.0.push(FieldError::rejected(field, error));
    }

    /// Parses one field, recording its error under `field` and returning `None` when it
    /// fails, so a caller can parse every field before deciding.
    pub fn check<T, E: FieldRule>(&mut self, field: &str, result: Result<T, E>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(error) => {
                self.reject(field, error);
                None
            }
        }
    }

    /// Each refused field with its rule's code, in the order found: what a client acts on,
    /// without the wording (for logs and tests).
    pub fn field_codes(&self) -> Vec<(&str, &'static str)> {
        self.0
            .iter()
            .map(|e| (e.field.as_str(), e.violation.code()))
            .collect()
    }

    /// Whether nothing was refused.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The problems, in the order they were found.
    pub fn into_vec(self) -> Vec<FieldError> {
        self.0
    }

    /// `Ok(())` when nothing was refused, otherwise the collected problems.
    pub fn into_result(self) -> Result<(), FieldErrors> {
        if self.0.is_empty() { Ok(()) } else { Err(self) }
    }
}

impl From<FieldError> for FieldErrors {
    fn from(error: FieldError) -> Self {
        Self(vec![error])
    }
}

impl fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self
            .0
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect();
        f.write_str(&parts.join("; "))
    }
}

impl std::error::Error for FieldErrors {}

#[cfg(test)]
mod tests;
