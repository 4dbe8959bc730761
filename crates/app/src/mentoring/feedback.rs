//! Feedback on completed sessions and mentors' ratings of learners.

use lyceum_domain::FieldErrors;
use lyceum_domain::community::NotificationKind;
use lyceum_domain::mentoring::{
    Feedback, FeedbackScores, FeedbackText, LearnerRating, Rating, SessionStatus,
};
use lyceum_ports::outbox::Outbox;
use lyceum_ports::{Conflict, Page, PageRequest, RepoError};
use uuid::Uuid;

use crate::community::NotificationDraft;
use crate::identity::Actor;
use crate::mentoring::MentoringError;
use crate::{AppError, Lyceum};
use lyceum_domain::community::{Subject, SubjectKind};

/// The PeerLearn feedback form as the learner fills it.
#[allow(missing_docs)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedbackInput {
    pub mentor_rating: i64,
    pub session_rating: i64,
    pub content_quality: i64,
    pub communication: i64,
    pub helpfulness: i64,
    pub platform_rating: i64,
    pub overall_experience: i64,
    pub would_recommend: bool,
    pub comments: Option<String>,
    pub improvement_suggestions: Option<String>,
    pub is_public: bool,
}

/// The checked scores and texts of a feedback form.
struct ParsedFeedback {
    scores: FeedbackScores,
    comments: Option<FeedbackText>,
    improvement_suggestions: Option<FeedbackText>,
}

impl FeedbackInput {
    fn parse(&self) -> Result<ParsedFeedback, FieldErrors> {
        let mut e = FieldErrors::new();
        let mut score = |field: &str, value: i64| e.check(field, Rating::new(value));
        let scores = (
            score("mentor_rating", self.mentor_rating),
            score("session_rating", self.session_rating),
            score("content_quality", self.content_quality),
            score("communication", self.communication),
            score("helpfulness", self.helpfulness),
            score("platform_rating", self.platform_rating),
            score("overall_experience", self.overall_experience),
        );
        let comments = e.check(
            "comments",
            FeedbackText::parse_optional(self.comments.as_deref()),
        );
        let improvement_suggestions = e.check(
            "improvement_suggestions",
            FeedbackText::parse_optional(self.improvement_suggestions.as_deref()),
        );
        match (scores, comments, improvement_suggestions) {
            (
                (
                    Some(mentor_rating),
                    Some(session_rating),
                    Some(content_quality),
                    Some(communication),
                    Some(helpfulness),
                    Some(platform_rating),
                    Some(overall_experience),
                ),
                Some(comments),
                Some(improvement_suggestions),
            ) if e.is_empty() => Ok(ParsedFeedback {
                scores: FeedbackScores {
                    mentor_rating,
                    session_rating,
                    content_quality,
                    communication,
                    helpfulness,
                    platform_rating,
                    overall_experience,
                },
                comments,
                improvement_suggestions,
            }),
            _ => Err(e),
        }
    }
}

impl Lyceum {
    /// Leaves feedback on my booking's session: only once it is completed (409 before),
    /// once per booking (409 twice), every score 1–5 (422 otherwise).
    pub async fn leave_feedback(
        &self,
        actor: &Actor,
        booking_id: Uuid,
        input: FeedbackInput,
    ) -> Result<Feedback, AppError> {
        let (booking, session) = self.booking(actor, booking_id).await?;
        if booking.learner_id != actor.id() {
            return Err(AppError::Forbidden);
        }
        let parsed = input.parse()?;
        if session.status != SessionStatus::Completed
            || booking.status != lyceum_domain::mentoring::BookingStatus::Completed
        {
            return Err(MentoringError::FeedbackNotOpen.into());
        }
        let feedback = Feedback {
            id: self.ports.ids.new_id(),
            booking_id,
            session_id: session.id,
            mentor_id: session.mentor_id,
            learner_id: actor.id(),
            scores: parsed.scores,
            would_recommend: input.would_recommend,
            comments: parsed.comments,
            improvement_suggestions: parsed.improvement_suggestions,
            is_public: input.is_public,
            created_at: self.ports.clock.now(),
        };
        let outbox = Outbox::notices(vec![self.notice(NotificationDraft {
            user_id: session.mentor_id,
            kind: NotificationKind::FeedbackReceived,
            subject: Subject::new(SubjectKind::MentorFeedback, session.mentor_id),
            data: serde_json::json!({"feedback_id": feedback.id, "session_id": session.id, "session_title": session.title.as_str(),
                                     "session_rating": feedback.scores.session_rating.value()}),
        })]);
        let stored = self
            .ports
            .feedbacks
            .leave(feedback, outbox)
            .await
            .map_err(|e| match e {
                RepoError::Conflict(Conflict::FeedbackExists) => {
                    AppError::from(MentoringError::FeedbackExists)
                }
                other => other.into(),
            })?;
        Ok(stored)
    }

    /// The mentor of a completed 1:1 rates its learner, once.
    pub async fn rate_learner(
        &self,
        actor: &Actor,
        session_id: Uuid,
        rating: i64,
        comment: Option<String>,
    ) -> Result<LearnerRating, AppError> {
        let session = self.load_session(session_id).await?;
        if session.mentor_id != actor.id() {
            return Err(AppError::Forbidden);
        }
        let rating = Rating::new(rating).map_err(|e| AppError::rejected("rating", e))?;
        let comment = FeedbackText::parse_optional(comment.as_deref())
            .map_err(|e| AppError::rejected("comment", e))?;
        if session.capacity.seats() != 1 {
            return Err(MentoringError::RatingNotOneToOne.into());
        }
        if session.status != SessionStatus::Completed {
            return Err(MentoringError::RatingNotOpen.into());
        }
        let bookings = self
            .ports
            .bookings
            .of_session(session_id, PageRequest::first(10))
            .await?;
        let learner = bookings
            .items
            .iter()
            .find(|b| b.status == lyceum_domain::mentoring::BookingStatus::Completed)
            .map(|b| b.learner_id)
            .ok_or_else(|| AppError::from(MentoringError::RatingNoLearner))?;
        let stored = self
            .ports
            .feedbacks
            .rate_learner(LearnerRating {
                id: self.ports.ids.new_id(),
                session_id,
                rater_id: actor.id(),
                ratee_id: learner,
                rating,
                comment,
                created_at: self.ports.clock.now(),
            })
            .await
            .map_err(|e| match e {
                RepoError::Conflict(Conflict::RatingExists) => {
                    AppError::from(MentoringError::RatingExists)
                }
                other => other.into(),
            })?;
        Ok(stored)
    }

    /// A mentor's public feedback, newest first.
    pub async fn mentor_feedback(
        &self,
        mentor_id: Uuid,
        page: PageRequest,
    ) -> Result<Page<Feedback>, AppError> {
        Ok(self
            .ports
            .feedbacks
            .public_for_mentor(mentor_id, page)
            .await?)
    }
}
