//! Domain values to rows and back. Every stored value goes through the domain's parser
//! on the way out, so a row the domain would refuse surfaces as an error instead of an
//! invalid value.

use lyceum_domain::mentoring::{
    Booking, BookingStatus, CancellationReason, Capacity, Feedback, FeedbackScores, FeedbackText,
    LearnerRating, MeetingUrl, MentoringSession, MentorshipRequest, Message, MessageBody,
    PaymentStatus, Popularity, Rating, RequestMessage, RequestNote, RequestStatus, RequestSubject,
    SessionDescription, SessionDuration, SessionStatus, SessionTitle,
};
use lyceum_domain::{Currency, Money};
use lyceum_ports::{Conflict, RepoError};

use super::entities::{
    bookings, feedback, learner_ratings, mentoring_sessions, mentorship_requests, messages,
};
use crate::database::{corrupt, db_time};

fn money(table: &str, amount_minor: i64, currency: &str) -> Result<Money, RepoError> {
    let currency = Currency::parse(currency).map_err(|e| corrupt(table, e))?;
    Money::new(amount_minor, currency).map_err(|e| corrupt(table, e))
}

fn stored_text(table: &str, raw: Option<&str>) -> Result<Option<FeedbackText>, RepoError> {
    FeedbackText::parse_optional(raw).map_err(|e| corrupt(table, e))
}

/// `rating_avg_milli` for a sum and count: the average × 1000, rounded half up; 0 when
/// unrated. The adapter's SQL computes the same value in the feedback transaction.
pub(crate) fn rating_avg_milli(sum: i64, count: i64) -> i64 {
    if count <= 0 {
        0
    } else {
        (2000 * sum + count) / (2 * count)
    }
}

pub(crate) fn session_from_row(
    row: mentoring_sessions::Model,
) -> Result<MentoringSession, RepoError> {
    let t = "mentoring_sessions";
    Ok(MentoringSession {
        id: row.id,
        mentor_id: row.mentor_id,
        title: SessionTitle::parse(&row.title).map_err(|e| corrupt(t, e))?,
        description: SessionDescription::parse(&row.description).map_err(|e| corrupt(t, e))?,
        specialization_id: row.specialization_id,
        duration: SessionDuration::minutes(i64::from(row.duration_minutes))
            .map_err(|e| corrupt(t, e))?,
        price: money(t, row.price_amount_minor, &row.price_currency)?,
        capacity: Capacity::new(i64::from(row.capacity)).map_err(|e| corrupt(t, e))?,
        seats_taken: u32::try_from(row.seats_taken)
            .map_err(|_| corrupt(t, format!("seats_taken {}", row.seats_taken)))?,
        starts_at: row.starts_at,
        meeting_url: MeetingUrl::parse(&row.meeting_url).map_err(|e| corrupt(t, e))?,
        status: SessionStatus::parse(&row.status)
            .ok_or_else(|| corrupt(t, format!("status {}", row.status)))?,
        request_id: row.request_id,
        popularity: Popularity {
            views: row.view_count,
            bookings: row.booking_count,
            completed_bookings: row.completed_booking_count,
            rating_average: (row.rating_count > 0)
                .then(|| row.rating_sum as f64 / row.rating_count as f64),
            rating_count: row.rating_count,
        },
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

pub(crate) fn session_row(session: &MentoringSession) -> mentoring_sessions::Model {
    let starts_at = db_time(session.starts_at);
    let popularity = &session.popularity;
    let rating_sum = popularity.rating_average.map_or(0, |avg| {
        (avg * popularity.rating_count as f64).round() as i64
    });
    mentoring_sessions::Model {
        id: session.id,
        mentor_id: session.mentor_id,
        title: session.title.to_string(),
        description: session.description.to_string(),
        specialization_id: session.specialization_id,
        duration_minutes: i32::from(session.duration.as_minutes()),
        price_amount_minor: session.price.amount_minor(),
        price_currency: session.price.currency().as_str().to_owned(),
        capacity: i32::try_from(session.capacity.seats()).unwrap_or(i32::MAX),
        seats_taken: i32::try_from(session.seats_taken).unwrap_or(i32::MAX),
        starts_at,
        ends_at: starts_at + session.duration.as_duration(),
        meeting_url: session.meeting_url.to_string(),
        status: session.status.as_str().to_owned(),
        request_id: session.request_id,
        view_count: popularity.views,
        booking_count: popularity.bookings,
        completed_booking_count: popularity.completed_bookings,
        rating_count: popularity.rating_count,
        rating_sum,
        rating_avg_milli: rating_avg_milli(rating_sum, popularity.rating_count),
        cancelled_at: None,
        cancelled_by: None,
        created_at: db_time(session.created_at),
        updated_at: db_time(session.updated_at),
    }
}

pub(crate) fn booking_from_row(row: bookings::Model) -> Result<Booking, RepoError> {
    let t = "bookings";
    Ok(Booking {
        id: row.id,
        session_id: row.session_id,
        learner_id: row.learner_id,
        status: BookingStatus::parse(&row.status)
            .ok_or_else(|| corrupt(t, format!("status {}", row.status)))?,
        payment_status: PaymentStatus::parse(&row.payment_status)
            .ok_or_else(|| corrupt(t, format!("payment_status {}", row.payment_status)))?,
        amount: money(t, row.amount_minor, &row.currency)?,
        hold_expires_at: row.hold_expires_at,
        payment_reference: row.payment_reference,
        cancelled_by: row.cancelled_by,
        cancellation_reason: CancellationReason::parse_optional(row.cancellation_reason.as_deref())
            .map_err(|e| corrupt(t, e))?,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

pub(crate) fn booking_row(booking: &Booking) -> bookings::Model {
    bookings::Model {
        id: booking.id,
        session_id: booking.session_id,
        learner_id: booking.learner_id,
        status: booking.status.as_str().to_owned(),
        payment_status: booking.payment_status.as_str().to_owned(),
        amount_minor: booking.amount.amount_minor(),
        currency: booking.amount.currency().as_str().to_owned(),
        hold_expires_at: booking.hold_expires_at.map(db_time),
        payment_reference: booking.payment_reference.clone(),
        cancelled_by: booking.cancelled_by,
        cancellation_reason: booking
            .cancellation_reason
            .as_ref()
            .map(ToString::to_string),
        cancelled_at: None,
        created_at: db_time(booking.created_at),
        updated_at: db_time(booking.updated_at),
    }
}

pub(crate) fn request_from_row(
    row: mentorship_requests::Model,
) -> Result<MentorshipRequest, RepoError> {
    let t = "mentorship_requests";
    Ok(MentorshipRequest {
        id: row.id,
        learner_id: row.learner_id,
        mentor_id: row.mentor_id,
        subject: RequestSubject::parse(&row.subject).map_err(|e| corrupt(t, e))?,
        message: RequestMessage::parse(&row.message).map_err(|e| corrupt(t, e))?,
        proposed_start: row.proposed_start,
        duration_minutes: u16::try_from(row.duration_minutes)
            .map_err(|_| corrupt(t, format!("duration_minutes {}", row.duration_minutes)))?,
        notes: note(t, row.notes)?,
        status: RequestStatus::parse(&row.status)
            .ok_or_else(|| corrupt(t, format!("status {}", row.status)))?,
        response_message: note(t, row.response_message)?,
        session_id: row.session_id,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

/// A stored note read back through its rule.
fn note(table: &str, raw: Option<String>) -> Result<Option<RequestNote>, RepoError> {
    Ok(raw
        .map(|text| RequestNote::parse(&text).map_err(|e| corrupt(table, e)))
        .transpose()?
        .flatten())
}

pub(crate) fn request_row(request: &MentorshipRequest) -> mentorship_requests::Model {
    mentorship_requests::Model {
        id: request.id,
        learner_id: request.learner_id,
        mentor_id: request.mentor_id,
        subject: request.subject.to_string(),
        message: request.message.to_string(),
        proposed_start: db_time(request.proposed_start),
        duration_minutes: i32::from(request.duration_minutes),
        notes: request.notes.as_ref().map(|n| n.to_string()),
        status: request.status.as_str().to_owned(),
        response_message: request.response_message.as_ref().map(|n| n.to_string()),
        session_id: request.session_id,
        created_at: db_time(request.created_at),
        updated_at: db_time(request.updated_at),
    }
}

pub(crate) fn message_from_row(row: messages::Model) -> Result<Message, RepoError> {
    Ok(Message {
        id: row.id,
        sender_id: row.sender_id,
        recipient_id: row.recipient_id,
        body: MessageBody::parse(&row.body).map_err(|e| corrupt("messages", e))?,
        created_at: row.created_at,
        read_at: row.read_at,
    })
}

pub(crate) fn message_row(message: &Message) -> messages::Model {
    messages::Model {
        id: message.id,
        sender_id: message.sender_id,
        recipient_id: message.recipient_id,
        body: message.body.as_str().to_owned(),
        created_at: db_time(message.created_at),
        read_at: message.read_at.map(db_time),
    }
}

fn score(table: &str, value: i32) -> Result<Rating, RepoError> {
    Rating::new(i64::from(value)).map_err(|e| corrupt(table, e))
}

pub(crate) fn feedback_from_row(row: feedback::Model) -> Result<Feedback, RepoError> {
    let t = "feedback";
    Ok(Feedback {
        id: row.id,
        booking_id: row.booking_id,
        session_id: row.session_id,
        mentor_id: row.mentor_id,
        learner_id: row.learner_id,
        scores: FeedbackScores {
            mentor_rating: score(t, row.mentor_rating)?,
            session_rating: score(t, row.session_rating)?,
            content_quality: score(t, row.content_quality)?,
            communication: score(t, row.communication)?,
            helpfulness: score(t, row.helpfulness)?,
            platform_rating: score(t, row.platform_rating)?,
            overall_experience: score(t, row.overall_experience)?,
        },
        would_recommend: row.would_recommend,
        comments: stored_text(t, row.comments.as_deref())?,
        improvement_suggestions: stored_text(t, row.improvement_suggestions.as_deref())?,
        is_public: row.is_public,
        created_at: row.created_at,
    })
}

pub(crate) fn feedback_row(feedback: &Feedback) -> feedback::Model {
    let s = &feedback.scores;
    let v = |r: Rating| i32::from(r.value());
    feedback::Model {
        id: feedback.id,
        booking_id: feedback.booking_id,
        session_id: feedback.session_id,
        mentor_id: feedback.mentor_id,
        learner_id: feedback.learner_id,
        mentor_rating: v(s.mentor_rating),
        session_rating: v(s.session_rating),
        content_quality: v(s.content_quality),
        communication: v(s.communication),
        helpfulness: v(s.helpfulness),
        platform_rating: v(s.platform_rating),
        overall_experience: v(s.overall_experience),
        would_recommend: feedback.would_recommend,
        comments: feedback.comments.as_ref().map(ToString::to_string),
        improvement_suggestions: feedback
            .improvement_suggestions
            .as_ref()
            .map(ToString::to_string),
        is_public: feedback.is_public,
        created_at: db_time(feedback.created_at),
    }
}

pub(crate) fn rating_from_row(row: learner_ratings::Model) -> Result<LearnerRating, RepoError> {
    Ok(LearnerRating {
        id: row.id,
        session_id: row.session_id,
        rater_id: row.rater_id,
        ratee_id: row.ratee_id,
        rating: score("learner_ratings", row.rating)?,
        comment: stored_text("learner_ratings", row.comment.as_deref())?,
        created_at: row.created_at,
    })
}

pub(crate) fn rating_row(rating: &LearnerRating) -> learner_ratings::Model {
    learner_ratings::Model {
        id: rating.id,
        session_id: rating.session_id,
        rater_id: rating.rater_id,
        ratee_id: rating.ratee_id,
        rating: i32::from(rating.rating.value()),
        comment: rating.comment.as_ref().map(ToString::to_string),
        created_at: db_time(rating.created_at),
    }
}

/// A write error on a mentoring table: a unique index that names a rule becomes that
/// conflict, a missing referenced row (learner, session, mentor) `NotFound`, anything
/// else is a store failure.
pub(crate) fn write_error(err: sea_orm::DbErr) -> RepoError {
    use crate::database::{is_foreign_key_violation, unavailable, unique_violation};
    if let Some(conflict) = unique_violation(&err)
        .as_deref()
        .and_then(mentoring_conflict)
    {
        RepoError::Conflict(conflict)
    } else if is_foreign_key_violation(&err) {
        RepoError::NotFound
    } else {
        unavailable(err)
    }
}

/// Which mentoring rule a unique violation broke, judged from the index (PostgreSQL:
/// `ux_bookings_live_learner`) or columns (SQLite: `bookings.session_id,
/// bookings.learner_id`) named in the message.
pub(crate) fn mentoring_conflict(message: &str) -> Option<Conflict> {
    if message.contains("ux_bookings_live_learner") || message.contains("bookings.learner_id") {
        Some(Conflict::BookingDuplicate)
    } else if message.contains("feedback") && message.contains("booking_id") {
        Some(Conflict::FeedbackExists)
    } else if message.contains("learner_ratings") {
        Some(Conflict::RatingExists)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rating_average_is_rounded_to_thousandths() {
        assert_eq!(rating_avg_milli(0, 0), 0);
        assert_eq!(rating_avg_milli(5, 1), 5000);
        assert_eq!(rating_avg_milli(9, 2), 4500);
        assert_eq!(rating_avg_milli(13, 3), 4333);
        assert_eq!(rating_avg_milli(14, 3), 4667);
    }

    #[test]
    fn violations_name_their_rule_on_both_backends() {
        assert_eq!(
            mentoring_conflict(
                "duplicate key value violates unique constraint \"ux_bookings_live_learner\""
            ),
            Some(Conflict::BookingDuplicate)
        );
        assert_eq!(
            mentoring_conflict(
                "UNIQUE constraint failed: bookings.session_id, bookings.learner_id"
            ),
            Some(Conflict::BookingDuplicate)
        );
        assert_eq!(
            mentoring_conflict("UNIQUE constraint failed: feedback.booking_id"),
            Some(Conflict::FeedbackExists)
        );
        assert_eq!(
            mentoring_conflict(
                "duplicate key value violates unique constraint \"ux_learner_ratings_session_id_rater_id\""
            ),
            Some(Conflict::RatingExists)
        );
        assert_eq!(
            mentoring_conflict("UNIQUE constraint failed: bookings.id"),
            None
        );
    }
}
