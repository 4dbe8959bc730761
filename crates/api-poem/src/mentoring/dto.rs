//! Request and response bodies of the mentoring context.

use lyceum_app::mentoring::SessionView;
use lyceum_domain::mentoring::availability::{
    Availability, AvailabilityException, ExceptionKind, Interval, WeeklyWindow,
};
use lyceum_domain::mentoring::{
    Booking, Feedback, LearnerRating, MentoringSession, MentorshipRequest, Message, RatingSummary,
};
use lyceum_ports::mentoring::ConversationSummary;
use poem_openapi::{Enum, Object};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::identity::dto::MoneyDto;

/// A mentor's rating summary.
#[derive(Debug, Clone, Object)]
pub struct RatingSummaryDto {
    /// Average mentor rating (1–5), absent without feedback.
    pub average: Option<f64>,
    /// Number of feedbacks.
    pub count: i64,
}

impl From<RatingSummary> for RatingSummaryDto {
    fn from(r: RatingSummary) -> Self {
        Self {
            average: r.average.map(|a| (a * 100.0).round() / 100.0),
            count: r.count,
        }
    }
}

/// Popularity figures of a session.
#[derive(Debug, Clone, Object)]
pub struct PopularityDto {
    /// Page views.
    pub views: i64,
    /// Bookings ever made.
    pub bookings: i64,
    /// Completed bookings over bookings, in percent.
    pub completion_rate: Option<f64>,
    /// Average session rating from feedback.
    pub rating_average: Option<f64>,
    /// Number of feedbacks.
    pub rating_count: i64,
}

/// A mentoring session.
#[derive(Debug, Clone, Object)]
pub struct SessionDto {
    /// Id.
    pub id: Uuid,
    /// Who runs it.
    pub mentor_id: Uuid,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Specialization.
    pub specialization_id: Option<Uuid>,
    /// Length in minutes (15–480).
    pub duration_minutes: u16,
    /// Price per seat (0 = free).
    pub price: MoneyDto,
    /// Seats.
    pub capacity: u32,
    /// Seats taken by pending and confirmed bookings.
    pub seats_taken: u32,
    /// Seats still free.
    pub seats_left: u32,
    /// Start (UTC).
    pub starts_at: OffsetDateTime,
    /// End (UTC).
    pub ends_at: OffsetDateTime,
    /// Video room.
    pub meeting_url: String,
    /// `scheduled`, `active`, `completed` or `cancelled`.
    pub status: String,
    /// The mentorship request it came from (1:1 sessions).
    pub request_id: Option<Uuid>,
    /// Popularity.
    pub popularity: PopularityDto,
    /// The mentor's rating, when known.
    pub mentor_rating: Option<RatingSummaryDto>,
    /// Created.
    pub created_at: OffsetDateTime,
    /// Last changed.
    pub updated_at: OffsetDateTime,
}

impl From<&MentoringSession> for SessionDto {
    fn from(s: &MentoringSession) -> Self {
        Self {
            id: s.id,
            mentor_id: s.mentor_id,
            title: s.title.clone(),
            description: s.description.clone(),
            specialization_id: s.specialization_id,
            duration_minutes: s.duration.as_minutes(),
            price: s.price.into(),
            capacity: s.capacity.seats(),
            seats_taken: s.seats_taken,
            seats_left: s.seats_left(),
            starts_at: s.starts_at,
            ends_at: s.ends_at(),
            meeting_url: s.meeting_url.clone(),
            status: s.status.as_str().to_owned(),
            request_id: s.request_id,
            popularity: PopularityDto {
                views: s.popularity.views,
                bookings: s.popularity.bookings,
                completion_rate: s
                    .popularity
                    .completion_rate()
                    .map(|r| (r * 10.0).round() / 10.0),
                rating_average: s
                    .popularity
                    .rating_average
                    .map(|r| (r * 100.0).round() / 100.0),
                rating_count: s.popularity.rating_count,
            },
            mentor_rating: None,
            created_at: s.created_at,
            updated_at: s.updated_at,
        }
    }
}

impl From<&SessionView> for SessionDto {
    fn from(v: &SessionView) -> Self {
        Self {
            mentor_rating: Some(v.mentor_rating.into()),
            ..Self::from(&v.session)
        }
    }
}

/// Creates a session.
#[derive(Debug, Clone, Object)]
#[oai(deny_unknown_fields)]
pub struct CreateSessionRequest {
    /// Title (1–200 characters).
    #[oai(validator(max_length = 400))]
    pub title: String,
    /// Description (≤ 5000 characters).
    #[oai(default, validator(max_length = 10000))]
    pub description: String,
    /// 15–480.
    pub duration_minutes: i64,
    /// Price per seat; `amount_minor` 0 for a free session.
    pub price: MoneyDto,
    /// Seats (≥ 1; 1 is a one-to-one).
    pub capacity: i64,
    /// Start, in the future (RFC 3339).
    pub starts_at: OffsetDateTime,
    /// Your own video room; a unique one is generated when absent.
    #[oai(validator(max_length = 2048))]
    pub meeting_url: Option<String>,
    /// Specialization, for discovery.
    pub specialization_id: Option<Uuid>,
}

/// Edits a scheduled session; absent fields stay.
#[derive(Debug, Clone, Object)]
#[oai(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct UpdateSessionRequest {
    #[oai(validator(max_length = 400))]
    pub title: Option<String>,
    #[oai(validator(max_length = 10000))]
    pub description: Option<String>,
    pub duration_minutes: Option<i64>,
    pub price: Option<MoneyDto>,
    /// Never below the seats already taken.
    pub capacity: Option<i64>,
    pub starts_at: Option<OffsetDateTime>,
    /// Empty string: generate a new room.
    #[oai(validator(max_length = 2048))]
    pub meeting_url: Option<String>,
    pub specialization_id: poem_openapi::types::MaybeUndefined<Uuid>,
}

/// Discovery order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum SessionSortDto {
    /// Earliest start first (default).
    Soonest,
    /// Cheapest first.
    Price,
    /// Best-rated first.
    Rating,
    /// Most booked first.
    Popularity,
}

/// A page of sessions.
#[derive(Debug, Clone, Object)]
pub struct SessionPage {
    /// Sessions.
    pub items: Vec<SessionDto>,
    /// Cursor of the next page; null on the last page.
    pub next_cursor: Option<String>,
}

/// A booking.
#[derive(Debug, Clone, Object)]
pub struct BookingDto {
    /// Id.
    pub id: Uuid,
    /// The session.
    pub session_id: Uuid,
    /// The learner.
    pub learner_id: Uuid,
    /// `pending`, `confirmed`, `completed` or `cancelled`.
    pub status: String,
    /// `pending`, `paid`, `failed` or `refunded`.
    pub payment_status: String,
    /// The session price at booking time.
    pub amount: MoneyDto,
    /// Until when a pending seat is held for payment.
    pub hold_expires_at: Option<OffsetDateTime>,
    /// Payment reference.
    pub payment_reference: Option<String>,
    /// Who cancelled.
    pub cancelled_by: Option<Uuid>,
    /// Why.
    pub cancellation_reason: Option<String>,
    /// Created.
    pub created_at: OffsetDateTime,
    /// Last changed.
    pub updated_at: OffsetDateTime,
}

impl From<&Booking> for BookingDto {
    fn from(b: &Booking) -> Self {
        Self {
            id: b.id,
            session_id: b.session_id,
            learner_id: b.learner_id,
            status: b.status.as_str().to_owned(),
            payment_status: b.payment_status.as_str().to_owned(),
            amount: b.amount.into(),
            hold_expires_at: b.hold_expires_at,
            payment_reference: b.payment_reference.clone(),
            cancelled_by: b.cancelled_by,
            cancellation_reason: b.cancellation_reason.clone(),
            created_at: b.created_at,
            updated_at: b.updated_at,
        }
    }
}

/// A page of bookings.
#[derive(Debug, Clone, Object)]
pub struct BookingPage {
    /// Bookings.
    pub items: Vec<BookingDto>,
    /// Cursor of the next page; null on the last page.
    pub next_cursor: Option<String>,
}

/// Booking filter by status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
#[allow(missing_docs)]
pub enum BookingStatusDto {
    Pending,
    Confirmed,
    Completed,
    Cancelled,
}

/// Cancels a booking.
#[derive(Debug, Clone, Object, Default)]
#[oai(deny_unknown_fields)]
pub struct CancelBookingRequest {
    /// Why (≤ 500 characters).
    #[oai(validator(max_length = 1000))]
    pub reason: Option<String>,
}

/// Moves a booking.
#[derive(Debug, Clone, Object)]
#[oai(deny_unknown_fields)]
pub struct RescheduleRequest {
    /// Another session of the same mentor, at the same price, with a free seat.
    pub target_session_id: Uuid,
}

/// The PeerLearn feedback form.
#[derive(Debug, Clone, Object)]
#[oai(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct FeedbackRequest {
    /// 1–5, like every score.
    pub mentor_rating: i64,
    pub session_rating: i64,
    pub content_quality: i64,
    pub communication: i64,
    pub helpfulness: i64,
    pub platform_rating: i64,
    pub overall_experience: i64,
    pub would_recommend: bool,
    #[oai(validator(max_length = 4000))]
    pub comments: Option<String>,
    #[oai(validator(max_length = 4000))]
    pub improvement_suggestions: Option<String>,
    /// Shown on the mentor's public feedback (default true).
    #[oai(default = "default_true")]
    pub is_public: bool,
}

fn default_true() -> bool {
    true
}

/// Feedback as shown.
#[derive(Debug, Clone, Object)]
#[allow(missing_docs)]
pub struct FeedbackDto {
    pub id: Uuid,
    pub booking_id: Uuid,
    pub session_id: Uuid,
    pub mentor_id: Uuid,
    pub mentor_rating: u8,
    pub session_rating: u8,
    pub content_quality: u8,
    pub communication: u8,
    pub helpfulness: u8,
    pub platform_rating: u8,
    pub overall_experience: u8,
    pub would_recommend: bool,
    pub comments: Option<String>,
    pub improvement_suggestions: Option<String>,
    pub is_public: bool,
    pub created_at: OffsetDateTime,
}

impl From<&Feedback> for FeedbackDto {
    fn from(f: &Feedback) -> Self {
        let s = f.scores;
        Self {
            id: f.id,
            booking_id: f.booking_id,
            session_id: f.session_id,
            mentor_id: f.mentor_id,
            mentor_rating: s.mentor_rating.value(),
            session_rating: s.session_rating.value(),
            content_quality: s.content_quality.value(),
            communication: s.communication.value(),
            helpfulness: s.helpfulness.value(),
            platform_rating: s.platform_rating.value(),
            overall_experience: s.overall_experience.value(),
            would_recommend: f.would_recommend,
            comments: f.comments.clone(),
            improvement_suggestions: f.improvement_suggestions.clone(),
            is_public: f.is_public,
            created_at: f.created_at,
        }
    }
}

/// A page of feedback.
#[derive(Debug, Clone, Object)]
pub struct FeedbackPage {
    /// Feedback.
    pub items: Vec<FeedbackDto>,
    /// Cursor of the next page; null on the last page.
    pub next_cursor: Option<String>,
}

/// A mentor rates the learner of a 1:1.
#[derive(Debug, Clone, Object)]
#[oai(deny_unknown_fields)]
pub struct LearnerRatingRequest {
    /// 1–5.
    pub rating: i64,
    /// Optional comment.
    #[oai(validator(max_length = 4000))]
    pub comment: Option<String>,
}

/// A learner rating.
#[derive(Debug, Clone, Object)]
#[allow(missing_docs)]
pub struct LearnerRatingDto {
    pub id: Uuid,
    pub session_id: Uuid,
    pub learner_id: Uuid,
    pub rating: u8,
    pub comment: Option<String>,
    pub created_at: OffsetDateTime,
}

impl From<&LearnerRating> for LearnerRatingDto {
    fn from(r: &LearnerRating) -> Self {
        Self {
            id: r.id,
            session_id: r.session_id,
            learner_id: r.ratee_id,
            rating: r.rating.value(),
            comment: r.comment.clone(),
            created_at: r.created_at,
        }
    }
}

/// A weekly window in the mentor's zone.
#[derive(Debug, Clone, Object)]
pub struct WeeklyWindowDto {
    /// `monday` … `sunday`.
    pub weekday: String,
    /// Local start, `HH:MM`.
    pub start: String,
    /// Local end, `HH:MM` (after start, same day).
    pub end: String,
}

/// A date exception.
#[derive(Debug, Clone, Object)]
pub struct AvailabilityExceptionDto {
    /// Local date.
    pub date: Date,
    /// `blocked` (no availability that day) or `extra` (an added window).
    pub kind: String,
    /// For `extra`: local start `HH:MM`.
    pub start: Option<String>,
    /// For `extra`: local end `HH:MM`.
    pub end: Option<String>,
}

/// Weekly availability.
#[derive(Debug, Clone, Object)]
#[oai(deny_unknown_fields)]
pub struct AvailabilityDto {
    /// IANA time zone the windows are in, e.g. `Asia/Kolkata`.
    pub timezone: String,
    /// Weekly windows.
    #[oai(validator(max_items = 100))]
    pub windows: Vec<WeeklyWindowDto>,
    /// Blocked days and extra windows.
    #[oai(default, validator(max_items = 366))]
    pub exceptions: Vec<AvailabilityExceptionDto>,
}

fn hhmm(t: time::Time) -> String {
    format!("{:02}:{:02}", t.hour(), t.minute())
}

/// Parses `HH:MM`.
pub fn parse_hhmm(raw: &str) -> Option<time::Time> {
    let (h, m) = raw.trim().split_once(':')?;
    time::Time::from_hms(h.parse().ok()?, m.parse().ok()?, 0).ok()
}

/// Parses a weekday name.
pub fn parse_weekday(raw: &str) -> Option<time::Weekday> {
    use time::Weekday::*;
    Some(match raw.trim().to_lowercase().as_str() {
        "monday" => Monday,
        "tuesday" => Tuesday,
        "wednesday" => Wednesday,
        "thursday" => Thursday,
        "friday" => Friday,
        "saturday" => Saturday,
        "sunday" => Sunday,
        _ => return None,
    })
}

impl From<&Availability> for AvailabilityDto {
    fn from(a: &Availability) -> Self {
        Self {
            timezone: a.timezone().to_owned(),
            windows: a
                .windows()
                .iter()
                .map(|w: &WeeklyWindow| WeeklyWindowDto {
                    weekday: w.weekday.to_string().to_lowercase(),
                    start: hhmm(w.start),
                    end: hhmm(w.end),
                })
                .collect(),
            exceptions: a
                .exceptions()
                .iter()
                .map(|e: &AvailabilityException| match e.kind {
                    ExceptionKind::Blocked => AvailabilityExceptionDto {
                        date: e.date,
                        kind: "blocked".into(),
                        start: None,
                        end: None,
                    },
                    ExceptionKind::ExtraWindow { start, end } => AvailabilityExceptionDto {
                        date: e.date,
                        kind: "extra".into(),
                        start: Some(hhmm(start)),
                        end: Some(hhmm(end)),
                    },
                })
                .collect(),
        }
    }
}

/// A free slot.
#[derive(Debug, Clone, Object)]
pub struct SlotDto {
    /// Start (UTC).
    pub start: OffsetDateTime,
    /// End (UTC).
    pub end: OffsetDateTime,
}

impl From<&Interval> for SlotDto {
    fn from(i: &Interval) -> Self {
        Self {
            start: i.start,
            end: i.end,
        }
    }
}

/// Asks a mentor for a 1:1.
#[derive(Debug, Clone, Object)]
#[oai(deny_unknown_fields)]
pub struct CreateRequestRequest {
    /// The mentor.
    pub mentor_id: Uuid,
    /// Subject (1–200 characters).
    #[oai(validator(max_length = 400))]
    pub subject: String,
    /// Message (≤ 2000 characters).
    #[oai(default, validator(max_length = 4000))]
    pub message: String,
    /// Proposed start, in the future.
    pub proposed_start: OffsetDateTime,
    /// 30–180.
    pub duration_minutes: i64,
    /// Notes.
    #[oai(validator(max_length = 4000))]
    pub notes: Option<String>,
}

/// A mentorship request.
#[derive(Debug, Clone, Object)]
#[allow(missing_docs)]
pub struct RequestDto {
    pub id: Uuid,
    pub learner_id: Uuid,
    pub mentor_id: Uuid,
    pub subject: String,
    pub message: String,
    pub proposed_start: OffsetDateTime,
    pub duration_minutes: u16,
    pub notes: Option<String>,
    /// `pending`, `accepted`, `declined`, `cancelled` or `completed`.
    pub status: String,
    pub response_message: Option<String>,
    /// The 1:1 session, once accepted.
    pub session_id: Option<Uuid>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

impl From<&MentorshipRequest> for RequestDto {
    fn from(r: &MentorshipRequest) -> Self {
        Self {
            id: r.id,
            learner_id: r.learner_id,
            mentor_id: r.mentor_id,
            subject: r.subject.clone(),
            message: r.message.clone(),
            proposed_start: r.proposed_start,
            duration_minutes: r.duration_minutes,
            notes: r.notes.clone(),
            status: r.status.as_str().to_owned(),
            response_message: r.response_message.clone(),
            session_id: r.session_id,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// A page of requests.
#[derive(Debug, Clone, Object)]
pub struct RequestPage {
    /// Requests.
    pub items: Vec<RequestDto>,
    /// Cursor of the next page; null on the last page.
    pub next_cursor: Option<String>,
}

/// The mentor accepts.
#[derive(Debug, Clone, Object, Default)]
#[oai(deny_unknown_fields)]
pub struct AcceptRequestBody {
    /// Meeting link; generated when absent.
    #[oai(validator(max_length = 2048))]
    pub meeting_url: Option<String>,
    /// Answer to the learner.
    #[oai(validator(max_length = 4000))]
    pub response_message: Option<String>,
}

/// The mentor declines.
#[derive(Debug, Clone, Object)]
#[oai(deny_unknown_fields)]
pub struct DeclineRequestBody {
    /// Why (required).
    #[oai(validator(max_length = 4000))]
    pub response_message: String,
}

/// Which requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum RequestSideDto {
    /// Requests I sent (default).
    Sent,
    /// Requests sent to me.
    Received,
}

/// Request status filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
#[allow(missing_docs)]
pub enum RequestStatusDto {
    Pending,
    Accepted,
    Declined,
    Cancelled,
    Completed,
}

/// A direct message.
#[derive(Debug, Clone, Object)]
#[allow(missing_docs)]
pub struct MessageDto {
    pub id: Uuid,
    pub sender_id: Uuid,
    pub recipient_id: Uuid,
    pub body: String,
    pub created_at: OffsetDateTime,
    /// When the recipient read it (read receipt).
    pub read_at: Option<OffsetDateTime>,
}

impl From<&Message> for MessageDto {
    fn from(m: &Message) -> Self {
        Self {
            id: m.id,
            sender_id: m.sender_id,
            recipient_id: m.recipient_id,
            body: m.body.clone(),
            created_at: m.created_at,
            read_at: m.read_at,
        }
    }
}

/// Writes a message.
#[derive(Debug, Clone, Object)]
#[oai(deny_unknown_fields)]
pub struct SendMessageRequest {
    /// 1–2000 characters.
    #[oai(validator(max_length = 4000))]
    pub body: String,
}

/// A page of messages, newest first.
#[derive(Debug, Clone, Object)]
pub struct MessagePage {
    /// Messages.
    pub items: Vec<MessageDto>,
    /// Cursor of the next page; null on the last page.
    pub next_cursor: Option<String>,
}

/// One conversation in my inbox.
#[derive(Debug, Clone, Object)]
pub struct ConversationDto {
    /// The other person.
    pub user_id: Uuid,
    /// The newest message either way.
    pub last_message: MessageDto,
    /// Their messages I have not read.
    pub unread_count: i64,
}

impl From<&ConversationSummary> for ConversationDto {
    fn from(c: &ConversationSummary) -> Self {
        Self {
            user_id: c.other_user_id,
            last_message: MessageDto::from(&c.last_message),
            unread_count: c.unread_count,
        }
    }
}

/// How many were marked read.
#[derive(Debug, Clone, Object)]
pub struct MarkedRead {
    /// Count.
    pub marked: u64,
}
