//! Request and response bodies of the mentoring context.

use lyceum_app::AppError;
use lyceum_app::mentoring::{
    AvailabilityInput, FeedbackInput, RequestAction, RequestInput, SessionInput, SessionView,
};
use lyceum_domain::mentoring::availability::{
    Availability, AvailabilityException, ExceptionKind, Interval, WeeklyWindow,
};
use lyceum_domain::mentoring::{
    Booking, Feedback, LearnerRating, MentoringSession, MentorshipRequest, MessageBody,
};
use lyceum_domain::validation::Violation;
use lyceum_ports::mentoring::ConversationSummary;
use poem_openapi::types::MaybeUndefined;
use poem_openapi::{Enum, Object};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::shared::{MessageOut, Money, RatingSummaryOut, page, patch};

/// Popularity figures of a session.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct PopularityOut {
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

/// Where a session is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(
    rename_all = "lowercase",
    remote = "lyceum_domain::mentoring::SessionStatus"
)]
#[allow(missing_docs)]
pub enum SessionStatus {
    Scheduled,
    Active,
    Completed,
    Cancelled,
}

/// A mentoring session.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct SessionOut {
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
    pub price: Money,
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
    /// Where it is in its life.
    pub status: SessionStatus,
    /// The mentorship request it came from (1:1 sessions).
    pub request_id: Option<Uuid>,
    /// Popularity.
    pub popularity: PopularityOut,
    /// The mentor's rating, when known.
    pub mentor_rating: Option<RatingSummaryOut>,
    /// Created.
    pub created_at: OffsetDateTime,
    /// Last changed.
    pub updated_at: OffsetDateTime,
}

impl From<&MentoringSession> for SessionOut {
    fn from(s: &MentoringSession) -> Self {
        Self {
            id: s.id,
            mentor_id: s.mentor_id,
            title: s.title.to_string(),
            description: s.description.to_string(),
            specialization_id: s.specialization_id,
            duration_minutes: s.duration.as_minutes(),
            price: s.price.into(),
            capacity: s.capacity.seats(),
            seats_taken: s.seats_taken,
            seats_left: s.seats_left(),
            starts_at: s.starts_at,
            ends_at: s.ends_at(),
            meeting_url: s.meeting_url.to_string(),
            status: s.status.into(),
            request_id: s.request_id,
            popularity: PopularityOut {
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

impl From<&SessionView> for SessionOut {
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
pub struct SessionIn {
    /// Title, 1–200 characters.
    #[oai(validator(
        max_length = 200,
        pattern = r"^[^\x00-\x1f\x7f-\x9f\u2028\u2029]*[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][^\x00-\x1f\x7f-\x9f\u2028\u2029]*$"
    ))]
    pub title: String,
    /// Description, at most 5000 characters; it may span several lines.
    #[oai(
        default,
        validator(
            max_length = 5000,
            pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
        )
    )]
    pub description: String,
    /// Length in minutes, 15–480.
    #[oai(validator(minimum(value = "15"), maximum(value = "480")))]
    pub duration_minutes: i64,
    /// Price per seat; `amount_minor` 0 for a free session.
    pub price: Money,
    /// Seats, 1–1000 (1 is a one-to-one).
    #[oai(validator(minimum(value = "1"), maximum(value = "1000")))]
    pub capacity: i64,
    /// Start, in the future and within 10 years (RFC 3339).
    pub starts_at: OffsetDateTime,
    /// Your own video room, an absolute http(s) URL; a unique one is generated when
    /// absent or blank.
    #[oai(validator(
        max_length = 2048,
        pattern = r"^(?:[ \xa0\u1680\u2000-\u200a\u202f\u205f\u3000]*|[ \xa0\u1680\u2000-\u200a\u202f\u205f\u3000]*[Hh][Tt][Tt][Pp][Ss]?://([A-Za-z0-9-]+\.)*[A-Za-z][A-Za-z0-9-]*(:[0-9]{1,4})?([/?#][^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*)?[ \xa0\u1680\u2000-\u200a\u202f\u205f\u3000]*)$"
    ))]
    pub meeting_url: Option<String>,
    /// Specialization, for discovery.
    pub specialization_id: Option<Uuid>,
}

impl From<SessionIn> for SessionInput {
    fn from(b: SessionIn) -> Self {
        Self {
            title: b.title,
            description: b.description,
            duration_minutes: b.duration_minutes,
            price_amount_minor: b.price.amount_minor,
            price_currency: b.price.currency,
            capacity: b.capacity,
            starts_at: b.starts_at,
            meeting_url: b.meeting_url,
            specialization_id: b.specialization_id,
        }
    }
}

/// Edits a scheduled session: absent fields stay; only `specialization_id` can be
/// cleared (with `null`).
#[derive(Debug, Clone, Object)]
#[oai(deny_unknown_fields)]
pub struct SessionPatch {
    /// Title, 1–200 characters.
    #[oai(validator(
        max_length = 200,
        pattern = r"^[^\x00-\x1f\x7f-\x9f\u2028\u2029]*[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][^\x00-\x1f\x7f-\x9f\u2028\u2029]*$"
    ))]
    pub title: Option<String>,
    /// Description, at most 5000 characters; it may span several lines.
    #[oai(validator(
        max_length = 5000,
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
    ))]
    pub description: Option<String>,
    /// Length in minutes, 15–480.
    #[oai(validator(minimum(value = "15"), maximum(value = "480")))]
    pub duration_minutes: Option<i64>,
    /// Price per seat.
    pub price: Option<Money>,
    /// Seats, 1–1000, never below the seats already taken.
    #[oai(validator(minimum(value = "1"), maximum(value = "1000")))]
    pub capacity: Option<i64>,
    /// Start, in the future and within 10 years (RFC 3339).
    pub starts_at: Option<OffsetDateTime>,
    /// Video room, an absolute http(s) URL; an empty string generates a new room.
    #[oai(validator(
        max_length = 2048,
        pattern = r"^(?:[ \xa0\u1680\u2000-\u200a\u202f\u205f\u3000]*|[ \xa0\u1680\u2000-\u200a\u202f\u205f\u3000]*[Hh][Tt][Tt][Pp][Ss]?://([A-Za-z0-9-]+\.)*[A-Za-z][A-Za-z0-9-]*(:[0-9]{1,4})?([/?#][^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*)?[ \xa0\u1680\u2000-\u200a\u202f\u205f\u3000]*)$"
    ))]
    pub meeting_url: Option<String>,
    /// Specialization, for discovery; `null` removes it.
    #[oai(nullable)]
    pub specialization_id: MaybeUndefined<Uuid>,
}

impl From<SessionPatch> for lyceum_app::mentoring::SessionPatch {
    fn from(b: SessionPatch) -> Self {
        Self {
            title: b.title,
            description: b.description,
            duration_minutes: b.duration_minutes,
            price: b.price.map(|p| (p.amount_minor, p.currency)),
            capacity: b.capacity,
            starts_at: b.starts_at,
            meeting_url: b.meeting_url,
            specialization_id: patch(b.specialization_id),
        }
    }
}

/// Discovery order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(
    rename_all = "lowercase",
    remote = "lyceum_ports::mentoring::SessionSort"
)]
pub enum SessionSort {
    /// Earliest start first (default).
    Soonest,
    /// Cheapest first.
    Price,
    /// Best-rated first.
    Rating,
    /// Most booked first.
    Popularity,
}

page!(
    /// A page of sessions.
    SessionPage of SessionOut, "Sessions."
);

/// A booking.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct BookingOut {
    /// Id.
    pub id: Uuid,
    /// The session.
    pub session_id: Uuid,
    /// The learner.
    pub learner_id: Uuid,
    /// Where the booking is.
    pub status: BookingStatus,
    /// Where its payment is.
    pub payment_status: PaymentStatus,
    /// The session price at booking time.
    pub amount: Money,
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

impl From<&Booking> for BookingOut {
    fn from(b: &Booking) -> Self {
        Self {
            id: b.id,
            session_id: b.session_id,
            learner_id: b.learner_id,
            status: b.status.into(),
            payment_status: b.payment_status.into(),
            amount: b.amount.into(),
            hold_expires_at: b.hold_expires_at,
            payment_reference: b.payment_reference.clone(),
            cancelled_by: b.cancelled_by,
            cancellation_reason: b.cancellation_reason.as_ref().map(ToString::to_string),
            created_at: b.created_at,
            updated_at: b.updated_at,
        }
    }
}

page!(
    /// A page of bookings.
    BookingPage of BookingOut, "Bookings."
);

/// Where a booking is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(
    rename_all = "lowercase",
    remote = "lyceum_domain::mentoring::BookingStatus"
)]
#[allow(missing_docs)]
pub enum BookingStatus {
    Pending,
    Confirmed,
    Completed,
    Cancelled,
}

/// Where a booking's payment is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(
    rename_all = "lowercase",
    remote = "lyceum_domain::mentoring::PaymentStatus"
)]
#[allow(missing_docs)]
pub enum PaymentStatus {
    Pending,
    Paid,
    Failed,
    Refunded,
}

/// Cancels a booking.
#[derive(Debug, Clone, Object, Default)]
#[oai(deny_unknown_fields)]
pub struct BookingCancelIn {
    /// Why, at most 500 characters; it may span several lines.
    #[oai(validator(
        max_length = 500,
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
    ))]
    pub reason: Option<String>,
}

/// Moves a booking.
#[derive(Debug, Clone, Object)]
#[oai(deny_unknown_fields)]
pub struct RescheduleIn {
    /// Another session of the same mentor, at the same price, with a free seat.
    pub target_session_id: Uuid,
}

/// The PeerLearn feedback form. Every score is an integer from 1 to 5.
#[derive(Debug, Clone, Object)]
#[oai(deny_unknown_fields)]
pub struct FeedbackIn {
    /// The mentor, 1–5.
    #[oai(validator(minimum(value = "1"), maximum(value = "5")))]
    pub mentor_rating: i64,
    /// The session, 1–5.
    #[oai(validator(minimum(value = "1"), maximum(value = "5")))]
    pub session_rating: i64,
    /// The content, 1–5.
    #[oai(validator(minimum(value = "1"), maximum(value = "5")))]
    pub content_quality: i64,
    /// Communication, 1–5.
    #[oai(validator(minimum(value = "1"), maximum(value = "5")))]
    pub communication: i64,
    /// Helpfulness, 1–5.
    #[oai(validator(minimum(value = "1"), maximum(value = "5")))]
    pub helpfulness: i64,
    /// The platform, 1–5.
    #[oai(validator(minimum(value = "1"), maximum(value = "5")))]
    pub platform_rating: i64,
    /// Overall, 1–5.
    #[oai(validator(minimum(value = "1"), maximum(value = "5")))]
    pub overall_experience: i64,
    /// Would recommend the mentor.
    pub would_recommend: bool,
    /// Comments, at most 2000 characters; it may span several lines.
    #[oai(validator(
        max_length = 2000,
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
    ))]
    pub comments: Option<String>,
    /// What could be better, at most 2000 characters; it may span several lines.
    #[oai(validator(
        max_length = 2000,
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
    ))]
    pub improvement_suggestions: Option<String>,
    /// Shown on the mentor's public feedback (default true).
    #[oai(default = "default_true")]
    pub is_public: bool,
}

impl From<FeedbackIn> for FeedbackInput {
    fn from(b: FeedbackIn) -> Self {
        Self {
            mentor_rating: b.mentor_rating,
            session_rating: b.session_rating,
            content_quality: b.content_quality,
            communication: b.communication,
            helpfulness: b.helpfulness,
            platform_rating: b.platform_rating,
            overall_experience: b.overall_experience,
            would_recommend: b.would_recommend,
            comments: b.comments,
            improvement_suggestions: b.improvement_suggestions,
            is_public: b.is_public,
        }
    }
}

fn default_true() -> bool {
    true
}

/// Feedback as shown.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
#[allow(missing_docs)]
pub struct FeedbackOut {
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

impl From<&Feedback> for FeedbackOut {
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
            comments: f.comments.as_ref().map(ToString::to_string),
            improvement_suggestions: f.improvement_suggestions.as_ref().map(ToString::to_string),
            is_public: f.is_public,
            created_at: f.created_at,
        }
    }
}

page!(
    /// A page of feedback.
    FeedbackPage of FeedbackOut, "Feedback."
);

/// A mentor rates the learner of a 1:1.
#[derive(Debug, Clone, Object)]
#[oai(deny_unknown_fields)]
pub struct LearnerRatingIn {
    /// 1–5.
    #[oai(validator(minimum(value = "1"), maximum(value = "5")))]
    pub rating: i64,
    /// Optional comment, at most 2000 characters; it may span several lines.
    #[oai(validator(
        max_length = 2000,
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
    ))]
    pub comment: Option<String>,
}

/// A learner rating.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
#[allow(missing_docs)]
pub struct LearnerRatingOut {
    pub id: Uuid,
    pub session_id: Uuid,
    pub learner_id: Uuid,
    pub rating: u8,
    pub comment: Option<String>,
    pub created_at: OffsetDateTime,
}

impl From<&LearnerRating> for LearnerRatingOut {
    fn from(r: &LearnerRating) -> Self {
        Self {
            id: r.id,
            session_id: r.session_id,
            learner_id: r.ratee_id,
            rating: r.rating.value(),
            comment: r.comment.as_ref().map(ToString::to_string),
            created_at: r.created_at,
        }
    }
}

/// A day of the week.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase", remote = "time::Weekday")]
#[allow(missing_docs)]
pub enum Weekday {
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday,
}

/// A weekly window in the mentor's zone, as sent.
#[derive(Debug, Clone, Object)]
#[oai(deny_unknown_fields)]
pub struct WeeklyWindowIn {
    /// The day.
    pub weekday: Weekday,
    /// Local start, `HH:MM` (24-hour clock).
    #[oai(validator(
        pattern = r"^[ \xa0\u1680\u2000-\u200a\u202f\u205f\u3000]*\+?0*([01]?[0-9]|2[0-3]):\+?0*[0-5]?[0-9][ \xa0\u1680\u2000-\u200a\u202f\u205f\u3000]*$"
    ))]
    pub start: String,
    /// Local end, `HH:MM` (after start, same day).
    #[oai(validator(
        pattern = r"^[ \xa0\u1680\u2000-\u200a\u202f\u205f\u3000]*\+?0*([01]?[0-9]|2[0-3]):\+?0*[0-5]?[0-9][ \xa0\u1680\u2000-\u200a\u202f\u205f\u3000]*$"
    ))]
    pub end: String,
}

/// A date exception, as sent.
#[derive(Debug, Clone, Object)]
#[oai(deny_unknown_fields)]
pub struct AvailabilityExceptionIn {
    /// Local date.
    pub date: Date,
    /// `blocked` (no availability that day) or `extra` (an added window, with `start`
    /// and `end`).
    pub kind: AvailabilityExceptionKind,
    /// For `extra`: local start `HH:MM`.
    #[oai(validator(
        pattern = r"^[ \xa0\u1680\u2000-\u200a\u202f\u205f\u3000]*\+?0*([01]?[0-9]|2[0-3]):\+?0*[0-5]?[0-9][ \xa0\u1680\u2000-\u200a\u202f\u205f\u3000]*$"
    ))]
    pub start: Option<String>,
    /// For `extra`: local end `HH:MM`, after `start`.
    #[oai(validator(
        pattern = r"^[ \xa0\u1680\u2000-\u200a\u202f\u205f\u3000]*\+?0*([01]?[0-9]|2[0-3]):\+?0*[0-5]?[0-9][ \xa0\u1680\u2000-\u200a\u202f\u205f\u3000]*$"
    ))]
    pub end: Option<String>,
}

/// Sets weekly availability.
#[derive(Debug, Clone, Object)]
#[oai(deny_unknown_fields)]
pub struct AvailabilityIn {
    /// IANA time zone the windows are in, e.g. `Asia/Kolkata`.
    pub timezone: String,
    /// Weekly windows, at most 100; windows of one day must not overlap.
    #[oai(validator(max_items = 100))]
    pub windows: Vec<WeeklyWindowIn>,
    /// Blocked days and extra windows, at most 366.
    #[oai(default, validator(max_items = 366))]
    pub exceptions: Vec<AvailabilityExceptionIn>,
}

/// Parses `HH:MM`.
pub fn parse_hhmm(raw: &str) -> Option<time::Time> {
    let (h, m) = raw.trim().split_once(':')?;
    time::Time::from_hms(h.parse().ok()?, m.parse().ok()?, 0).ok()
}

impl TryFrom<AvailabilityIn> for AvailabilityInput {
    type Error = AppError;

    /// Every bad window and exception is reported at once, by its index.
    fn try_from(body: AvailabilityIn) -> Result<Self, AppError> {
        let mut errors = lyceum_domain::FieldErrors::new();
        let mut windows = Vec::new();
        for (i, w) in body.windows.iter().enumerate() {
            match (parse_hhmm(&w.start), parse_hhmm(&w.end)) {
                (Some(start), Some(end)) => match WeeklyWindow::new(w.weekday.into(), start, end) {
                    Ok(window) => windows.push(window),
                    Err(e) => errors.reject(format!("windows[{i}]"), e),
                },
                _ => errors.push(
                    format!("windows[{i}]"),
                    Violation::InvalidFormat,
                    "times must be HH:MM",
                ),
            }
        }
        let mut exceptions = Vec::new();
        for (i, e) in body.exceptions.iter().enumerate() {
            let kind = match e.kind {
                AvailabilityExceptionKind::Blocked => Some(ExceptionKind::Blocked),
                AvailabilityExceptionKind::Extra => match (
                    e.start.as_deref().and_then(parse_hhmm),
                    e.end.as_deref().and_then(parse_hhmm),
                ) {
                    (Some(start), Some(end)) if end > start => {
                        Some(ExceptionKind::ExtraWindow { start, end })
                    }
                    _ => None,
                },
            };
            match kind {
                Some(kind) => exceptions.push(AvailabilityException { date: e.date, kind }),
                None => errors.push(
                    format!("exceptions[{i}]"),
                    Violation::Inconsistent,
                    "an 'extra' window needs start < end, both as HH:MM",
                ),
            }
        }
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        Ok(Self {
            timezone: body.timezone,
            windows,
            exceptions,
        })
    }
}

/// A weekly window in the mentor's zone.
#[derive(Debug, Clone, Object)]
pub struct WeeklyWindowOut {
    /// The day.
    pub weekday: Weekday,
    /// Local start, `HH:MM`.
    pub start: String,
    /// Local end, `HH:MM` (after start, same day).
    pub end: String,
}

/// What a date exception does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum AvailabilityExceptionKind {
    /// No availability that day.
    Blocked,
    /// An added window.
    Extra,
}

/// A date exception.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct AvailabilityExceptionOut {
    /// Local date.
    pub date: Date,
    /// Blocked day or extra window.
    pub kind: AvailabilityExceptionKind,
    /// For `extra`: local start `HH:MM`.
    pub start: Option<String>,
    /// For `extra`: local end `HH:MM`.
    pub end: Option<String>,
}

/// Weekly availability.
#[derive(Debug, Clone, Object)]
pub struct AvailabilityOut {
    /// IANA time zone the windows are in, e.g. `Asia/Kolkata`.
    pub timezone: String,
    /// Weekly windows.
    pub windows: Vec<WeeklyWindowOut>,
    /// Blocked days and extra windows.
    pub exceptions: Vec<AvailabilityExceptionOut>,
}

fn hhmm(t: time::Time) -> String {
    format!("{:02}:{:02}", t.hour(), t.minute())
}

impl From<&Availability> for AvailabilityOut {
    fn from(a: &Availability) -> Self {
        Self {
            timezone: a.timezone().to_owned(),
            windows: a
                .windows()
                .iter()
                .map(|w: &WeeklyWindow| WeeklyWindowOut {
                    weekday: w.weekday.into(),
                    start: hhmm(w.start),
                    end: hhmm(w.end),
                })
                .collect(),
            exceptions: a
                .exceptions()
                .iter()
                .map(|e: &AvailabilityException| match e.kind {
                    ExceptionKind::Blocked => AvailabilityExceptionOut {
                        date: e.date,
                        kind: AvailabilityExceptionKind::Blocked,
                        start: None,
                        end: None,
                    },
                    ExceptionKind::ExtraWindow { start, end } => AvailabilityExceptionOut {
                        date: e.date,
                        kind: AvailabilityExceptionKind::Extra,
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
pub struct SlotOut {
    /// Start (UTC).
    pub start: OffsetDateTime,
    /// End (UTC).
    pub end: OffsetDateTime,
}

impl From<&Interval> for SlotOut {
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
pub struct MentorshipRequestIn {
    /// The mentor.
    pub mentor_id: Uuid,
    /// Subject, 1–200 characters.
    #[oai(validator(
        max_length = 200,
        pattern = r"^[^\x00-\x1f\x7f-\x9f\u2028\u2029]*[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][^\x00-\x1f\x7f-\x9f\u2028\u2029]*$"
    ))]
    pub subject: String,
    /// Message, at most 2000 characters; it may span several lines.
    #[oai(
        default,
        validator(
            max_length = 2000,
            pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
        )
    )]
    pub message: String,
    /// Proposed start, in the future and within 10 years.
    pub proposed_start: OffsetDateTime,
    /// Length in minutes, 30–180.
    #[oai(validator(minimum(value = "30"), maximum(value = "180")))]
    pub duration_minutes: i64,
    /// Notes, at most 2000 characters; it may span several lines.
    #[oai(validator(
        max_length = 2000,
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
    ))]
    pub notes: Option<String>,
}

impl From<MentorshipRequestIn> for RequestInput {
    fn from(b: MentorshipRequestIn) -> Self {
        Self {
            mentor_id: b.mentor_id,
            subject: b.subject,
            message: b.message,
            proposed_start: b.proposed_start,
            duration_minutes: b.duration_minutes,
            notes: b.notes,
        }
    }
}

/// A mentorship request.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
#[allow(missing_docs)]
pub struct MentorshipRequestOut {
    pub id: Uuid,
    pub learner_id: Uuid,
    pub mentor_id: Uuid,
    pub subject: String,
    pub message: String,
    pub proposed_start: OffsetDateTime,
    pub duration_minutes: u16,
    pub notes: Option<String>,
    /// Where the request is.
    pub status: RequestStatus,
    pub response_message: Option<String>,
    /// The 1:1 session, once accepted.
    pub session_id: Option<Uuid>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

impl From<&MentorshipRequest> for MentorshipRequestOut {
    fn from(r: &MentorshipRequest) -> Self {
        Self {
            id: r.id,
            learner_id: r.learner_id,
            mentor_id: r.mentor_id,
            subject: r.subject.to_string(),
            message: r.message.to_string(),
            proposed_start: r.proposed_start,
            duration_minutes: r.duration_minutes,
            notes: r.notes.as_ref().map(|n| n.to_string()),
            status: r.status.into(),
            response_message: r.response_message.as_ref().map(|n| n.to_string()),
            session_id: r.session_id,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

page!(
    /// A page of requests.
    MentorshipRequestPage of MentorshipRequestOut, "Requests."
);

/// The mentor accepts.
#[derive(Debug, Clone, Object, Default)]
#[oai(deny_unknown_fields)]
pub struct MentorshipRequestAcceptIn {
    /// Meeting link, an absolute http(s) URL; generated when absent or blank.
    #[oai(validator(
        max_length = 2048,
        pattern = r"^(?:[ \xa0\u1680\u2000-\u200a\u202f\u205f\u3000]*|[ \xa0\u1680\u2000-\u200a\u202f\u205f\u3000]*[Hh][Tt][Tt][Pp][Ss]?://([A-Za-z0-9-]+\.)*[A-Za-z][A-Za-z0-9-]*(:[0-9]{1,4})?([/?#][^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*)?[ \xa0\u1680\u2000-\u200a\u202f\u205f\u3000]*)$"
    ))]
    pub meeting_url: Option<String>,
    /// Answer to the learner, at most 2000 characters; it may span several lines.
    #[oai(validator(
        max_length = 2000,
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
    ))]
    pub response_message: Option<String>,
}

impl From<MentorshipRequestAcceptIn> for RequestAction {
    fn from(b: MentorshipRequestAcceptIn) -> Self {
        Self::Accept {
            meeting_url: b.meeting_url,
            response_message: b.response_message,
        }
    }
}

/// The mentor declines.
#[derive(Debug, Clone, Object)]
#[oai(deny_unknown_fields)]
pub struct MentorshipRequestDeclineIn {
    /// Why, 1–2000 characters (required); it may span several lines.
    #[oai(validator(
        max_length = 2000,
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
    ))]
    pub response_message: String,
}

impl From<MentorshipRequestDeclineIn> for RequestAction {
    fn from(b: MentorshipRequestDeclineIn) -> Self {
        Self::Decline {
            response_message: b.response_message,
        }
    }
}

/// Which requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum RequestSide {
    /// Requests I sent (default).
    Sent,
    /// Requests sent to me.
    Received,
}

impl From<RequestSide> for lyceum_ports::mentoring::RequestSide {
    fn from(side: RequestSide) -> Self {
        match side {
            RequestSide::Sent => Self::AsLearner,
            RequestSide::Received => Self::AsMentor,
        }
    }
}

/// Where a mentorship request is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(
    rename_all = "lowercase",
    remote = "lyceum_domain::mentoring::RequestStatus"
)]
#[allow(missing_docs)]
pub enum RequestStatus {
    Pending,
    Accepted,
    Declined,
    Cancelled,
    Completed,
}

/// Writes a message.
#[derive(Debug, Clone, Object)]
#[oai(deny_unknown_fields)]
pub struct MessageIn {
    /// The text, 1–2000 characters; it may span several lines.
    #[oai(validator(
        max_length = 2000,
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
    ))]
    pub body: String,
}

impl TryFrom<MessageIn> for MessageBody {
    type Error = AppError;

    fn try_from(b: MessageIn) -> Result<Self, AppError> {
        MessageBody::parse(&b.body).map_err(|e| AppError::rejected("body", e))
    }
}

/// One conversation in my inbox.
#[derive(Debug, Clone, Object)]
pub struct ConversationOut {
    /// The other person.
    pub user_id: Uuid,
    /// The newest message either way.
    pub last_message: MessageOut,
    /// Their messages I have not read.
    pub unread_count: i64,
}

impl From<&ConversationSummary> for ConversationOut {
    fn from(c: &ConversationSummary) -> Self {
        Self {
            user_id: c.other_user_id,
            last_message: MessageOut::from(&c.last_message),
            unread_count: c.unread_count,
        }
    }
}

#[cfg(test)]
mod tests {
    use lyceum_domain::mentoring::availability::{MAX_EXCEPTIONS, MAX_WINDOWS};
    use lyceum_domain::mentoring::{
        BookingStatus as DomainBookingStatus, CancellationReason, Capacity, FeedbackText,
        MeetingUrl, PaymentStatus as DomainPaymentStatus, Popularity, Rating, RequestMessage,
        RequestNote, RequestSubject, SessionDescription, SessionDuration,
        SessionStatus as DomainSessionStatus, SessionTitle,
    };
    use lyceum_domain::{Currency, Money as DomainMoney};
    use serde_json::Value;

    use super::*;
    use crate::shared::contract::{has_null, json, matches, number, property};

    fn session() -> MentoringSession {
        MentoringSession {
            id: Uuid::nil(),
            mentor_id: Uuid::nil(),
            title: SessionTitle::parse("Ownership in Rust").unwrap(),
            description: SessionDescription::default(),
            specialization_id: None,
            duration: SessionDuration::minutes(60).unwrap(),
            price: DomainMoney::new(0, Currency::parse("INR").unwrap()).unwrap(),
            capacity: Capacity::new(1).unwrap(),
            seats_taken: 0,
            starts_at: OffsetDateTime::UNIX_EPOCH,
            meeting_url: MeetingUrl::generated(Uuid::nil()),
            status: DomainSessionStatus::Scheduled,
            request_id: None,
            popularity: Popularity::default(),
            created_at: OffsetDateTime::UNIX_EPOCH,
            updated_at: OffsetDateTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn sessions_and_bookings_are_sent_without_nulls() {
        let out = json(&SessionOut::from(&session()));
        assert!(!has_null(&out), "{out}");
        for absent in ["specialization_id", "request_id", "mentor_rating"] {
            assert!(out.get(absent).is_none(), "{absent}");
        }
        assert!(out["popularity"].get("completion_rate").is_none());
        let booking = Booking {
            id: Uuid::nil(),
            session_id: Uuid::nil(),
            learner_id: Uuid::nil(),
            status: DomainBookingStatus::Confirmed,
            payment_status: DomainPaymentStatus::Paid,
            amount: session().price,
            hold_expires_at: None,
            payment_reference: None,
            cancelled_by: None,
            cancellation_reason: None,
            created_at: OffsetDateTime::UNIX_EPOCH,
            updated_at: OffsetDateTime::UNIX_EPOCH,
        };
        let out = json(&BookingOut::from(&booking));
        assert!(!has_null(&out), "{out}");
        assert!(out.get("cancellation_reason").is_none());
        assert_eq!(out["status"], "confirmed");
    }

    /// `parse` accepts exactly the lengths the property allows.
    fn check_max_length<E>(property: &Value, parse: impl Fn(&str) -> Result<E, String>) {
        let max = number(property, "maxLength") as usize;
        assert!(parse(&"a".repeat(max)).is_ok(), "{property}");
        assert!(parse(&"a".repeat(max + 1)).is_err(), "{property}");
    }

    /// `accepts` holds exactly inside the property's `minimum..=maximum`.
    fn check_range(property: &Value, accepts: impl Fn(i64) -> bool) {
        let (min, max) = (number(property, "minimum"), number(property, "maximum"));
        assert!(accepts(min) && accepts(max), "{property}");
        assert!(!accepts(min - 1) && !accepts(max + 1), "{property}");
    }

    fn text<T, E: ToString>(r: Result<T, E>) -> Result<T, String> {
        r.map_err(|e| e.to_string())
    }

    #[test]
    fn session_limits_are_the_domain_limits() {
        let shapes: [fn(&str) -> Value; 2] = [property::<SessionIn>, property::<SessionPatch>];
        for props in shapes {
            let title = props("title");
            check_max_length(&title, |s| text(SessionTitle::parse(s)));
            assert!(!matches(&title, " \n ") && SessionTitle::parse(" \n ").is_err());
            check_max_length(&props("description"), |s| {
                text(SessionDescription::parse(s))
            });
            check_range(&props("duration_minutes"), |m| {
                SessionDuration::minutes(m).is_ok()
            });
            check_range(&props("capacity"), |c| Capacity::new(c).is_ok());
        }
        assert_eq!(
            property::<SessionPatch>("specialization_id")["nullable"],
            true
        );
    }

    #[test]
    fn every_score_is_a_rating() {
        let rating = |n| Rating::new(n).is_ok();
        for field in [
            "mentor_rating",
            "session_rating",
            "content_quality",
            "communication",
            "helpfulness",
            "platform_rating",
            "overall_experience",
        ] {
            check_range(&property::<FeedbackIn>(field), rating);
        }
        check_range(&property::<LearnerRatingIn>("rating"), rating);
        let feedback_text = |s: &str| text(FeedbackText::parse(s));
        check_max_length(&property::<FeedbackIn>("comments"), feedback_text);
        check_max_length(
            &property::<FeedbackIn>("improvement_suggestions"),
            feedback_text,
        );
        check_max_length(&property::<LearnerRatingIn>("comment"), feedback_text);
        check_max_length(&property::<BookingCancelIn>("reason"), |s| {
            text(CancellationReason::parse(s))
        });
    }

    #[test]
    fn request_and_message_limits_are_the_domain_limits() {
        let subject = property::<MentorshipRequestIn>("subject");
        check_max_length(&subject, |s| text(RequestSubject::parse(s)));
        assert!(!matches(&subject, "  "));
        check_max_length(&property::<MentorshipRequestIn>("message"), |s| {
            text(RequestMessage::parse(s))
        });
        let note = |s: &str| text(RequestNote::parse(s));
        check_max_length(&property::<MentorshipRequestIn>("notes"), note);
        check_max_length(
            &property::<MentorshipRequestAcceptIn>("response_message"),
            note,
        );
        check_max_length(
            &property::<MentorshipRequestDeclineIn>("response_message"),
            note,
        );
        let now = OffsetDateTime::UNIX_EPOCH;
        check_range(
            &property::<MentorshipRequestIn>("duration_minutes"),
            |minutes| {
                lyceum_domain::mentoring::RequestDetails::parse(
                    Uuid::from_u128(1),
                    Uuid::from_u128(2),
                    "subject",
                    "",
                    now + time::Duration::days(1),
                    minutes,
                    None,
                    now,
                )
                .is_ok()
            },
        );
        let body = property::<MessageIn>("body");
        check_max_length(&body, |s| text(MessageBody::parse(s)));
        assert!(!matches(&body, " \t") && MessageBody::parse(" \t").is_err());
    }

    #[test]
    fn availability_shapes_follow_the_domain() {
        let schema = crate::shared::contract::schema::<AvailabilityIn>();
        let windows = &schema["properties"]["windows"];
        assert_eq!(number(windows, "maxItems") as usize, MAX_WINDOWS);
        let exceptions = &schema["properties"]["exceptions"];
        assert_eq!(number(exceptions, "maxItems") as usize, MAX_EXCEPTIONS);
        let start = property::<WeeklyWindowIn>("start");
        for raw in [
            "09:00", "9:5", " 23:59 ", "00:00", "+9:05", "007:00", "24:00", "12:60", "9 :00", "9",
            "", "ab:cd", "-1:00", "12:255",
        ] {
            assert_eq!(matches(&start, raw), parse_hhmm(raw).is_some(), "{raw:?}");
        }
        assert_eq!(
            property::<WeeklyWindowIn>("end")["pattern"],
            start["pattern"]
        );
        for field in ["start", "end"] {
            let exception = property::<AvailabilityExceptionIn>(field);
            assert_eq!(exception["pattern"], start["pattern"]);
        }
    }
}

/// My secret calendar feed, as issued. The URL is shown only here.
#[derive(Debug, Clone, Object)]
pub struct CalendarFeedOut {
    /// The feed's URL, ending in `.ics`, for a calendar app's "subscribe" dialog. It
    /// opens my calendar without signing in: keep it private, and replace it if it leaks.
    pub url: String,
    /// When this URL was issued.
    pub created_at: OffsetDateTime,
}
