//! Repositories of the mentoring context. Every method that takes or frees a seat is one
//! transaction guarded by the database (`seats_taken < capacity` in the same statement
//! that increments it, a `CHECK (seats_taken <= capacity)`, and a unique index on live
//! bookings), so concurrent requests can never overbook.

use std::collections::HashMap;

use async_trait::async_trait;
use lyceum_domain::Money;
use lyceum_domain::mentoring::availability::Availability;
use lyceum_domain::mentoring::{
    Booking, BookingStatus, CancellationReason, Capacity, Feedback, LearnerRating, MeetingUrl,
    MentoringSession, MentorshipRequest, Message, PaymentStatus, RatingSummary, RequestNote,
    RequestStatus, SessionDescription, SessionDuration, SessionTitle,
};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::idempotency::IdempotencyClaim;
use crate::outbox::{BookingNotices, Outbox};
use crate::{Page, PageRequest, RepoError};

/// The editable fields of a session, saved as a whole after the use case applied a patch.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionChanges {
    /// Title.
    pub title: SessionTitle,
    /// Description.
    pub description: SessionDescription,
    /// Specialization.
    pub specialization_id: Option<Uuid>,
    /// Length.
    pub duration: SessionDuration,
    /// Price.
    pub price: Money,
    /// Seats; the adapter refuses a value below `seats_taken` in the same statement
    /// ([`crate::Conflict::CapacityBelowSeatsTaken`]).
    pub capacity: Capacity,
    /// Start.
    pub starts_at: OffsetDateTime,
    /// Video room.
    pub meeting_url: MeetingUrl,
}

/// How discovery orders sessions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SessionSort {
    /// Earliest start first.
    #[default]
    Soonest,
    /// Cheapest first.
    Price,
    /// Best rated first (unrated last).
    Rating,
    /// Most booked first.
    Popularity,
}

/// Discovery filters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionFilter {
    /// Only this mentor's sessions.
    pub mentor_id: Option<Uuid>,
    /// Only this specialization.
    pub specialization_id: Option<Uuid>,
    /// Price at least (minor units).
    pub min_price_minor: Option<i64>,
    /// Price at most (minor units).
    pub max_price_minor: Option<i64>,
    /// Starting at or after.
    pub starts_from: Option<OffsetDateTime>,
    /// Starting before.
    pub starts_to: Option<OffsetDateTime>,
    /// Only sessions with a free seat.
    pub only_with_free_seats: bool,
}

/// A position in a sorted discovery list: the sort key of the last item and its id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionCursor {
    /// The sort key as an integer (start as unix seconds, price in minor units, rating
    /// average × 1000, booking count).
    pub key: i64,
    /// Tie-breaker.
    pub id: Uuid,
}

/// A page of discovery results.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionPage {
    /// Sessions.
    pub items: Vec<MentoringSession>,
    /// Where the next page starts.
    pub next: Option<SessionCursor>,
}

/// Mentoring sessions.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait MentoringSessionRepository: Send + Sync {
    /// Stores a new session, in one transaction with the check that its mentor has no
    /// other scheduled or active session overlapping it (`Conflict::MentorBusy`
    /// otherwise); the check runs under a lock on the mentor, so of two concurrent
    /// overlapping creates only one is stored.
    async fn create(&self, session: MentoringSession) -> Result<MentoringSession, RepoError>;
    /// A session by id (cancelled and completed included).
    async fn by_id(&self, id: Uuid) -> Result<Option<MentoringSession>, RepoError>;
    /// Adds batched view counts (session, views) to the sessions' popularity, in one
    /// statement per batch: reads count views in memory, a flush writes them here.
    /// Sessions that no longer exist are skipped.
    async fn add_views(&self, views: Vec<(Uuid, i64)>) -> Result<(), RepoError>;
    /// Saves edited fields of a scheduled session; `StaleState` if it is no longer
    /// scheduled, `CapacityBelowSeatsTaken` if the capacity would drop below its seats,
    /// `MentorBusy` if a new start or duration would overlap another session of its mentor
    /// (checked as in [`MentoringSessionRepository::create`]; an edit that keeps the time
    /// is not checked). With `tell`, every live booking of the session gets its notices in
    /// the same transaction.
    async fn update(
        &self,
        id: Uuid,
        changes: SessionChanges,
        now: OffsetDateTime,
        tell: Option<BookingNotices>,
    ) -> Result<MentoringSession, RepoError>;
    /// Cancels a scheduled or active session and all its live bookings in one transaction
    /// (seats drop to zero, paid bookings become `refunded`); returns the bookings it
    /// cancelled, whose notices (`tell`) are written in the same transaction.
    /// `StaleState` if the session was no longer scheduled or active.
    async fn cancel(
        &self,
        id: Uuid,
        cancelled_by: Uuid,
        now: OffsetDateTime,
        tell: BookingNotices,
    ) -> Result<Vec<Booking>, RepoError>;
    /// Discovery: scheduled sessions starting after `now`, filtered and sorted, keyset-paginated.
    async fn discover(
        &self,
        filter: SessionFilter,
        sort: SessionSort,
        limit: u64,
        after: Option<SessionCursor>,
        now: OffsetDateTime,
    ) -> Result<SessionPage, RepoError>;
    /// A mentor's scheduled or active sessions overlapping `[from, to)` (busy time).
    async fn busy_for_mentor(
        &self,
        mentor_id: Uuid,
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> Result<Vec<MentoringSession>, RepoError>;
    /// Job: scheduled sessions whose start has passed become active; returns them.
    async fn start_due(&self, now: OffsetDateTime) -> Result<Vec<MentoringSession>, RepoError>;
    /// Job: scheduled or active sessions whose end has passed become completed, with their
    /// confirmed bookings (→ completed) and their accepted request (→ completed), one
    /// session per transaction. Returns the sessions this call completed: a session is
    /// completed by exactly one caller even with several processes.
    async fn complete_due(&self, now: OffsetDateTime) -> Result<Vec<MentoringSession>, RepoError>;
    /// Upcoming sessions I mentor or hold a live booking in, soonest first (calendar).
    async fn upcoming_for_user(
        &self,
        user_id: Uuid,
        now: OffsetDateTime,
        limit: u64,
    ) -> Result<Vec<MentoringSession>, RepoError>;
}

/// What happened to a seat reservation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReserveOutcome {
    /// A seat was taken now.
    Created(Booking),
    /// The same idempotency key and request were seen before: the first booking.
    Replayed(Booking),
}

/// Which bookings a list shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BookingFilter {
    /// Only this status.
    pub status: Option<BookingStatus>,
}

/// Bookings.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait BookingRepository: Send + Sync {
    /// Takes a seat and stores the booking in one transaction: the seat counter is
    /// incremented only while `seats_taken < capacity` and the session is scheduled and in
    /// the future (`SessionFull` / `SessionNotBookable` otherwise); a second live booking
    /// of the same learner is `BookingDuplicate`. With a claim, the idempotency key is
    /// recorded in the same transaction, and so is the outbox (not on a replay).
    async fn reserve_seat(
        &self,
        booking: Booking,
        claim: Option<IdempotencyClaim>,
        now: OffsetDateTime,
        outbox: Outbox,
    ) -> Result<ReserveOutcome, RepoError>;
    /// A booking by id.
    async fn by_id(&self, id: Uuid) -> Result<Option<Booking>, RepoError>;
    /// Cancels a live booking and frees its seat in one transaction; `StaleState` if it
    /// was no longer pending or confirmed. The outbox is written in the same transaction.
    async fn cancel(
        &self,
        id: Uuid,
        cancelled_by: Uuid,
        reason: Option<CancellationReason>,
        payment_status: PaymentStatus,
        now: OffsetDateTime,
        outbox: Outbox,
    ) -> Result<Booking, RepoError>;
    /// Confirms a pending booking as paid; `StaleState` if it was no longer pending (the
    /// hold expired or it was cancelled). The outbox is written in the same transaction.
    async fn confirm_payment(
        &self,
        id: Uuid,
        reference: String,
        now: OffsetDateTime,
        outbox: Outbox,
    ) -> Result<Booking, RepoError>;
    /// Moves a live booking to another session in one transaction: a seat is taken in the
    /// target under the same guard as `reserve_seat`, and released in the old session;
    /// either both happen or nothing changes, and the outbox with them.
    async fn reschedule(
        &self,
        id: Uuid,
        target_session_id: Uuid,
        now: OffsetDateTime,
        outbox: Outbox,
    ) -> Result<Booking, RepoError>;
    /// A learner's bookings, newest first.
    async fn of_learner(
        &self,
        learner_id: Uuid,
        filter: BookingFilter,
        page: PageRequest,
    ) -> Result<Page<Booking>, RepoError>;
    /// A session's bookings, oldest first.
    async fn of_session(
        &self,
        session_id: Uuid,
        page: PageRequest,
    ) -> Result<Page<Booking>, RepoError>;
    /// Job: pending bookings whose hold expired become cancelled (payment `failed`) and
    /// free their seat, each in its own transaction with the notices `tell` gives for it;
    /// returns the ones this call expired.
    async fn expire_holds(
        &self,
        now: OffsetDateTime,
        tell: BookingNotices,
    ) -> Result<Vec<Booking>, RepoError>;
    /// Confirmed bookings of scheduled sessions starting in `(now + from, now + to]`,
    /// with their session: the candidates for a reminder.
    async fn starting_within(
        &self,
        now: OffsetDateTime,
        from: Duration,
        to: Duration,
    ) -> Result<Vec<(Booking, MentoringSession)>, RepoError>;
}

/// Which requests a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestSide {
    /// Requests I sent.
    AsLearner,
    /// Requests sent to me.
    AsMentor,
}

/// Mentorship requests.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait MentorshipRequestRepository: Send + Sync {
    /// Stores a new pending request, with its outbox.
    async fn create(
        &self,
        request: MentorshipRequest,
        outbox: Outbox,
    ) -> Result<MentorshipRequest, RepoError>;
    /// A request by id.
    async fn by_id(&self, id: Uuid) -> Result<Option<MentorshipRequest>, RepoError>;
    /// Moves a request from `from` to `to` only if it is still in `from` (`StaleState`
    /// otherwise), recording the response message if given.
    async fn transition(
        &self,
        id: Uuid,
        from: RequestStatus,
        to: RequestStatus,
        response_message: Option<RequestNote>,
        now: OffsetDateTime,
        outbox: Outbox,
    ) -> Result<MentorshipRequest, RepoError>;
    /// Accepts a pending request in one transaction: pending → accepted, the 1:1 session
    /// (one seat, already taken) and the learner's confirmed booking are stored.
    /// `MentorBusy` if the 1:1 would overlap another session of the mentor (checked as in
    /// [`MentoringSessionRepository::create`]).
    async fn accept(
        &self,
        id: Uuid,
        session: MentoringSession,
        booking: Booking,
        response_message: Option<RequestNote>,
        now: OffsetDateTime,
        outbox: Outbox,
    ) -> Result<MentorshipRequest, RepoError>;
    /// Cancels an accepted request with its 1:1 session and booking in one transaction.
    async fn cancel_accepted(
        &self,
        id: Uuid,
        cancelled_by: Uuid,
        now: OffsetDateTime,
        outbox: Outbox,
    ) -> Result<MentorshipRequest, RepoError>;
    /// My requests on one side, newest first, optionally of one status.
    async fn of_user(
        &self,
        user_id: Uuid,
        side: RequestSide,
        status: Option<RequestStatus>,
        page: PageRequest,
    ) -> Result<Page<MentorshipRequest>, RepoError>;
}

/// Mentors' weekly availability.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait AvailabilityRepository: Send + Sync {
    /// The mentor's availability, if defined.
    async fn of_mentor(&self, mentor_id: Uuid) -> Result<Option<Availability>, RepoError>;
    /// Replaces the mentor's availability.
    async fn put(
        &self,
        mentor_id: Uuid,
        availability: Availability,
        now: OffsetDateTime,
    ) -> Result<(), RepoError>;
}

/// One conversation in my inbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConversationSummary {
    /// The other person.
    pub other_user_id: Uuid,
    /// The newest message either way.
    pub last_message: Message,
    /// Messages from them I have not read.
    pub unread_count: i64,
}

/// Direct messages.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait MessageRepository: Send + Sync {
    /// Whether the two users share a booking, a session or a request — the condition for
    /// writing to each other.
    async fn share_mentoring(&self, a: Uuid, b: Uuid) -> Result<bool, RepoError>;
    /// Stores a message, with its outbox.
    async fn send(&self, message: Message, outbox: Outbox) -> Result<Message, RepoError>;
    /// The history between two users, newest first.
    async fn between(
        &self,
        user_id: Uuid,
        other_id: Uuid,
        page: PageRequest,
    ) -> Result<Page<Message>, RepoError>;
    /// Marks every message from `other_id` to `user_id` read; returns how many changed.
    async fn mark_read(
        &self,
        user_id: Uuid,
        other_id: Uuid,
        now: OffsetDateTime,
    ) -> Result<u64, RepoError>;
    /// My conversations, most recent first.
    async fn conversations(&self, user_id: Uuid) -> Result<Vec<ConversationSummary>, RepoError>;
    /// Messages to me created after `after` (by id), oldest first, for live streams.
    async fn received_since(
        &self,
        user_id: Uuid,
        after: Option<Uuid>,
        limit: u64,
    ) -> Result<Vec<Message>, RepoError>;
}

/// Feedback and ratings.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait FeedbackRepository: Send + Sync {
    /// Stores feedback (one per booking: `FeedbackExists`) and updates the session's and
    /// mentor's rating figures and the outbox in the same transaction.
    async fn leave(&self, feedback: Feedback, outbox: Outbox) -> Result<Feedback, RepoError>;
    /// Stores a mentor's rating of a learner (one per rater and session: `RatingExists`).
    async fn rate_learner(&self, rating: LearnerRating) -> Result<LearnerRating, RepoError>;
    /// A mentor's public feedback, newest first.
    async fn public_for_mentor(
        &self,
        mentor_id: Uuid,
        page: PageRequest,
    ) -> Result<Page<Feedback>, RepoError>;
    /// Rating summaries of mentors (missing ids have no feedback).
    async fn summaries(
        &self,
        mentor_ids: Vec<Uuid>,
    ) -> Result<HashMap<Uuid, RatingSummary>, RepoError>;
}

/// Secret calendar feeds. Calendar apps fetch a URL and cannot send a bearer header, so
/// a user's feed is reached by a random token in its URL; only the token's digest is
/// stored (see [`crate::system::SecretMinter`]). One feed per user.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait CalendarFeedRepository: Send + Sync {
    /// Makes `digest` the user's feed token, replacing an earlier one in the same
    /// statement, so once it returns only the newest URL works (also when two requests
    /// race). `NotFound` if the user does not exist.
    async fn replace(
        &self,
        user_id: Uuid,
        digest: String,
        now: OffsetDateTime,
    ) -> Result<(), RepoError>;
    /// Forgets the user's feed, so its URL stops working; nothing happens without one.
    async fn revoke(&self, user_id: Uuid) -> Result<(), RepoError>;
    /// Whose feed the token with this digest opens, if any.
    async fn owner(&self, digest: &str) -> Result<Option<Uuid>, RepoError>;
}
