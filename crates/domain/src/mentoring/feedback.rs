//! Feedback and ratings after a session (PeerLearn Feedback, Mentori Ratings, MedicalEdu
//! InstructorRatings).

use time::OffsetDateTime;
use uuid::Uuid;

use crate::validation::text::{self, ControlCharacters};
use crate::validation::{FieldRule, Violation};

/// A score from 1 to 5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Rating(u8);

/// A score outside 1–5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("must be an integer from 1 to 5")]
pub struct RatingError;

impl FieldRule for RatingError {
    fn violation(&self) -> Violation {
        Violation::OutOfRange
    }
}

impl Rating {
    /// Accepts 1..=5.
    pub fn new(value: i64) -> Result<Self, RatingError> {
        u8::try_from(value)
            .ok()
            .filter(|v| (1..=5).contains(v))
            .map(Self)
            .ok_or(RatingError)
    }

    /// The score.
    pub fn value(&self) -> u8 {
        self.0
    }
}

/// The seven scores of the PeerLearn feedback form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeedbackScores {
    /// The mentor.
    pub mentor_rating: Rating,
    /// The session overall.
    pub session_rating: Rating,
    /// Content quality.
    pub content_quality: Rating,
    /// Communication.
    pub communication: Rating,
    /// Helpfulness.
    pub helpfulness: Rating,
    /// The platform.
    pub platform_rating: Rating,
    /// Overall experience.
    pub overall_experience: Rating,
}

/// A learner's feedback on a completed session, one per booking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feedback {
    /// Id.
    pub id: Uuid,
    /// The booking it is about (unique).
    pub booking_id: Uuid,
    /// The session.
    pub session_id: Uuid,
    /// The mentor rated.
    pub mentor_id: Uuid,
    /// Who wrote it.
    pub learner_id: Uuid,
    /// Scores.
    pub scores: FeedbackScores,
    /// Would recommend the mentor.
    pub would_recommend: bool,
    /// Free comments.
    pub comments: Option<FeedbackText>,
    /// Suggestions.
    pub improvement_suggestions: Option<FeedbackText>,
    /// Shown on the mentor's public feedback list.
    pub is_public: bool,
    /// Written at.
    pub created_at: OffsetDateTime,
}

/// Why a feedback text was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FeedbackTextError {
    /// Longer than 2000 characters.
    #[error("must be at most 2000 characters")]
    TooLong,
    /// Characters a multi-line text refuses (see [`crate::validation::text`]).
    #[error(transparent)]
    Characters(#[from] ControlCharacters),
}

impl FieldRule for FeedbackTextError {
    fn violation(&self) -> Violation {
        match self {
            FeedbackTextError::TooLong => Violation::TooLong,
            FeedbackTextError::Characters(refusal) => refusal.violation(),
        }
    }
}

/// A feedback comment, improvement suggestion or learner-rating comment: multi-line, at
/// most 2000 characters (counted before trimming), trimmed, never empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedbackText(String);

impl FeedbackText {
    /// Checks the characters, bounds and trims the text; blank text is no text (`None`).
    pub fn parse(raw: &str) -> Result<Option<Self>, FeedbackTextError> {
        text::multi_line(raw)?;
        if raw.chars().count() > 2000 {
            return Err(FeedbackTextError::TooLong);
        }
        let text = raw.trim();
        Ok((!text.is_empty()).then(|| Self(text.to_owned())))
    }

    /// Parses an optional text: absent stays absent.
    pub fn parse_optional(raw: Option<&str>) -> Result<Option<Self>, FeedbackTextError> {
        raw.map_or(Ok(None), Self::parse)
    }
}

text_newtype!(FeedbackText);

/// A mentor's rating of the learner of a 1:1 (Mentori ratings: one per rater per session).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LearnerRating {
    /// Id.
    pub id: Uuid,
    /// The 1:1 session.
    pub session_id: Uuid,
    /// The mentor rating.
    pub rater_id: Uuid,
    /// The learner rated.
    pub ratee_id: Uuid,
    /// Score.
    pub rating: Rating,
    /// Optional comment.
    pub comment: Option<FeedbackText>,
    /// When.
    pub created_at: OffsetDateTime,
}

/// A mentor's rating summary shown on profiles and in the directory.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RatingSummary {
    /// Average `mentor_rating`, if any feedback exists.
    pub average: Option<f64>,
    /// How many feedbacks.
    pub count: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratings_are_one_to_five() {
        assert!(Rating::new(1).is_ok() && Rating::new(5).is_ok());
        assert_eq!(Rating::new(0), Err(RatingError));
        assert_eq!(Rating::new(6), Err(RatingError));
    }

    #[test]
    fn a_comment_may_run_over_lines_but_holds_no_other_control() {
        let comment = FeedbackText::parse("Clear.\n\t- ownership\r\n\t- lifetimes\n")
            .unwrap()
            .unwrap();
        assert_eq!(comment.as_str(), "Clear.\n\t- ownership\r\n\t- lifetimes");
        assert!(matches!(
            FeedbackText::parse("Clear\u{7f}"),
            Err(FeedbackTextError::Characters(_))
        ));
        assert_eq!(
            FeedbackText::parse(&"x".repeat(2001)),
            Err(FeedbackTextError::TooLong)
        );
    }
}
