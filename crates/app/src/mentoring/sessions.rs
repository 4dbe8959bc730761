//! Creating, editing, cancelling and discovering mentoring sessions.

use lyceum_domain::community::NotificationKind;
use lyceum_domain::identity::Role;
use lyceum_domain::mentoring::{
    Capacity, MeetingUrl, MentoringSession, Popularity, RatingSummary, SessionDescription,
    SessionDetails, SessionDuration, SessionStatus, SessionTitle, generated_meeting_url,
};
use lyceum_domain::{Currency, FieldErrors, Money};
use lyceum_ports::mentoring::{
    SessionChanges, SessionCursor, SessionFilter, SessionPage, SessionSort,
};
use lyceum_ports::{Conflict, Page, PageRequest, RepoError};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::community::{NotificationDraft, fact_time};
use crate::identity::Actor;
use crate::mentoring::MentoringError;
use crate::{AppError, Lyceum, Resource};
use lyceum_domain::community::{Subject, SubjectKind};
use lyceum_domain::mentoring::{Booking, BookingError};

/// A session as a mentor types it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionInput {
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Length in minutes.
    pub duration_minutes: i64,
    /// Price in minor units.
    pub price_amount_minor: i64,
    /// Price currency.
    pub price_currency: String,
    /// Seats.
    pub capacity: i64,
    /// Start.
    pub starts_at: OffsetDateTime,
    /// Video room; generated when absent.
    pub meeting_url: Option<String>,
    /// Specialization.
    pub specialization_id: Option<Uuid>,
}

/// A partial edit; `None` leaves a field as it is.
#[allow(missing_docs)]
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionPatch {
    pub title: Option<String>,
    pub description: Option<String>,
    pub duration_minutes: Option<i64>,
    /// Amount in minor units and currency.
    pub price: Option<(i64, String)>,
    pub capacity: Option<i64>,
    pub starts_at: Option<OffsetDateTime>,
    pub meeting_url: Option<String>,
    /// `Some(None)` clears it.
    pub specialization_id: Option<Option<Uuid>>,
}

/// A session with its mentor's rating, as clients see it.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionView {
    /// The session.
    pub session: MentoringSession,
    /// The mentor's rating summary.
    pub mentor_rating: RatingSummary,
}

fn money(amount: i64, currency: &str) -> Result<Money, lyceum_domain::money::MoneyError> {
    Money::new(amount, Currency::parse(currency)?)
}

impl SessionInput {
    fn parse(self, now: OffsetDateTime) -> Result<SessionDetails, FieldErrors> {
        let mut e = FieldErrors::new();
        let title = e.check("title", SessionTitle::parse(&self.title));
        let description = e.check("description", SessionDescription::parse(&self.description));
        let duration = e.check(
            "duration_minutes",
            SessionDuration::minutes(self.duration_minutes),
        );
        let price = e.check(
            "price",
            money(self.price_amount_minor, &self.price_currency),
        );
        let capacity = e.check("capacity", Capacity::new(self.capacity));
        let starts_at = e.check(
            "starts_at",
            SessionDetails::check_start(self.starts_at, now),
        );
        let meeting_url = match self.meeting_url.as_deref() {
            Some(url) => e.check("meeting_url", MeetingUrl::parse_optional(url)),
            None => Some(None),
        };
        match (
            title,
            description,
            duration,
            price,
            capacity,
            starts_at,
            meeting_url,
        ) {
            (
                Some(title),
                Some(description),
                Some(duration),
                Some(price),
                Some(capacity),
                Some(starts_at),
                Some(meeting_url),
            ) => Ok(SessionDetails {
                title,
                description,
                duration,
                price,
                capacity,
                starts_at,
                meeting_url,
                specialization_id: self.specialization_id,
            }),
            _ => Err(e),
        }
    }
}

/// The store's refusals around a session, with the facts the use case knows (the
/// session's capacity when it is full).
pub(crate) fn session_conflict(error: RepoError, session: Option<&MentoringSession>) -> AppError {
    match error {
        RepoError::Conflict(Conflict::SessionFull) => BookingError::SessionFull {
            capacity: session.map_or(0, |s| s.capacity.seats()),
        }
        .into(),
        RepoError::Conflict(Conflict::StaleState) => MentoringError::SessionChanged.into(),
        RepoError::NotFound => AppError::NotFound(Resource::MentoringSession),
        other => other.into(),
    }
}

impl Lyceum {
    pub(crate) async fn load_session(&self, id: Uuid) -> Result<MentoringSession, AppError> {
        self.ports
            .sessions
            .by_id(id)
            .await?
            .ok_or(AppError::NotFound(Resource::MentoringSession))
    }

    /// Creates a session (mentors only). Every invalid field is reported at once; a
    /// session overlapping another of the mentor's is refused by the store, which checks
    /// under a lock on the mentor so that concurrent creates cannot both pass.
    pub async fn create_session(
        &self,
        actor: &Actor,
        input: SessionInput,
    ) -> Result<MentoringSession, AppError> {
        if !actor.user.can_mentor() {
            return Err(MentoringError::MentorRoleRequired.into());
        }
        let now = self.ports.clock.now();
        let details = input.parse(now)?;
        let id = self.ports.ids.new_id();
        let session = MentoringSession {
            id,
            mentor_id: actor.id(),
            title: details.title,
            description: details.description,
            specialization_id: details.specialization_id,
            duration: details.duration,
            price: details.price,
            capacity: details.capacity,
            seats_taken: 0,
            starts_at: details.starts_at,
            meeting_url: details
                .meeting_url
                .unwrap_or_else(|| generated_meeting_url(id)),
            status: SessionStatus::Scheduled,
            request_id: None,
            popularity: Popularity::default(),
            created_at: now,
            updated_at: now,
        };
        self.ports
            .sessions
            .create(session)
            .await
            .map_err(|e| session_conflict(e, None))
    }

    /// One session, counting the view for its popularity. The read writes nothing: the
    /// view is counted in memory and flushed in batches ([`Lyceum::flush_session_views`]);
    /// the figure shown adds this process's unflushed views to the stored ones.
    pub async fn view_session(&self, id: Uuid) -> Result<SessionView, AppError> {
        let mut session = self.load_session(id).await?;
        session.popularity.views += self.session_views.add_one(id);
        let mentor_rating = self
            .mentor_ratings(vec![session.mentor_id])
            .await?
            .remove(&session.mentor_id)
            .unwrap_or_default();
        Ok(SessionView {
            session,
            mentor_rating,
        })
    }

    /// Edits a scheduled session (its mentor only, while they mentor). A new start must be
    /// in the future, a new time must not overlap another of the mentor's sessions, and the
    /// capacity never drops below the seats taken; booked learners hear of a move.
    pub async fn update_session(
        &self,
        actor: &Actor,
        id: Uuid,
        patch: SessionPatch,
    ) -> Result<MentoringSession, AppError> {
        let session = self.load_session(id).await?;
        if session.mentor_id != actor.id() {
            return Err(AppError::Forbidden);
        }
        if !actor.user.can_mentor() {
            return Err(MentoringError::MentorRoleRequired.into());
        }
        if session.status != SessionStatus::Scheduled {
            return Err(lyceum_domain::mentoring::SessionError::NotEditable.into());
        }
        let now = self.ports.clock.now();
        let mut e = FieldErrors::new();
        let title = match patch.title.as_deref() {
            Some(title) => e.check("title", SessionTitle::parse(title)),
            None => Some(session.title.clone()),
        };
        let description = match patch.description.as_deref() {
            Some(description) => e
                .check("description", SessionDescription::parse(description))
                .unwrap_or_default(),
            None => session.description.clone(),
        };
        let duration = match patch.duration_minutes {
            Some(m) => e
                .check("duration_minutes", SessionDuration::minutes(m))
                .unwrap_or(session.duration),
            None => session.duration,
        };
        let price = match &patch.price {
            Some((amount, currency)) => e
                .check("price", money(*amount, currency))
                .unwrap_or(session.price),
            None => session.price,
        };
        let capacity = match patch.capacity {
            Some(c) => e
                .check("capacity", Capacity::new(c))
                .unwrap_or(session.capacity),
            None => session.capacity,
        };
        let starts_at = match patch.starts_at {
            Some(at) => e
                .check("starts_at", SessionDetails::check_start(at, now))
                .unwrap_or(session.starts_at),
            None => session.starts_at,
        };
        let meeting_url = match patch.meeting_url.as_deref() {
            Some(url) => match e.check("meeting_url", MeetingUrl::parse_optional(url)) {
                Some(Some(url)) => url,
                Some(None) => generated_meeting_url(session.id),
                None => session.meeting_url.clone(),
            },
            None => session.meeting_url.clone(),
        };
        e.into_result()?;
        let title = title.unwrap_or_else(|| session.title.clone());
        let capacity = session.check_capacity(capacity)?;
        let specialization_id = patch.specialization_id.unwrap_or(session.specialization_id);
        let changes = SessionChanges {
            title,
            description,
            specialization_id,
            duration,
            price,
            capacity,
            starts_at,
            meeting_url,
        };
        // Booked learners hear of a new time, in the update's transaction.
        let moved = changes.starts_at != session.starts_at || changes.duration != session.duration;
        let tell = moved.then(|| {
            let (title, starts_at) = (changes.title.clone(), changes.starts_at);
            self.notices_per_booking(move |booking| {
                Some(NotificationDraft {
                    user_id: booking.learner_id,
                    kind: NotificationKind::SessionRescheduled,
                    subject: Subject::new(SubjectKind::MentoringSession, id),
                    data: serde_json::json!({"session_id": id, "session_title": title.as_str(),
                                             "starts_at": fact_time(starts_at), "booking_id": booking.id}),
                })
            })
        });
        let updated = self
            .ports
            .sessions
            .update(id, changes, now, tell)
            .await
            .map_err(|e| session_conflict(e, Some(&session)))?;
        Ok(updated)
    }

    /// Cancels a session (its mentor or an admin): its live bookings are cancelled in the
    /// same transaction, paid ones refunded, and every booked learner is told.
    pub async fn cancel_session(
        &self,
        actor: &Actor,
        id: Uuid,
    ) -> Result<MentoringSession, AppError> {
        let session = self.load_session(id).await?;
        if session.mentor_id != actor.id() && !actor.user.has_role(Role::Admin) {
            return Err(AppError::Forbidden);
        }
        session.status.transition(SessionStatus::Cancelled)?;
        let now = self.ports.clock.now();
        let (title, starts_at) = (session.title.clone(), session.starts_at);
        let tell = self.notices_per_booking(move |booking| {
            Some(NotificationDraft {
                user_id: booking.learner_id,
                kind: NotificationKind::SessionCancelled,
                subject: Subject::new(SubjectKind::MentoringSession, id),
                data: serde_json::json!({"session_id": id, "session_title": title.as_str(),
                                         "starts_at": fact_time(starts_at), "booking_id": booking.id}),
            })
        });
        let cancelled = self
            .ports
            .sessions
            .cancel(id, actor.id(), now, tell)
            .await
            .map_err(|e| session_conflict(e, Some(&session)))?;
        for booking in &cancelled {
            self.refund_if_paid(booking).await;
        }
        self.load_session(id).await
    }

    pub(crate) async fn refund_if_paid(&self, booking: &Booking) {
        if let (Some(reference), false) = (&booking.payment_reference, booking.amount.is_zero())
            && booking.payment_status == lyceum_domain::mentoring::PaymentStatus::Refunded
            && let Err(error) = self.ports.payments.refund(reference, booking.amount).await
        {
            tracing::error!(booking_id = %booking.id, %error, "refund failed; needs manual follow-up");
        }
    }

    /// Session discovery with filters, sort and keyset pagination.
    pub async fn discover_sessions(
        &self,
        filter: SessionFilter,
        sort: SessionSort,
        limit: u64,
        after: Option<SessionCursor>,
    ) -> Result<(Vec<SessionView>, Option<SessionCursor>), AppError> {
        let SessionPage { items, next } = self
            .ports
            .sessions
            .discover(filter, sort, limit, after, self.ports.clock.now())
            .await?;
        let mut mentors: Vec<Uuid> = items.iter().map(|s| s.mentor_id).collect();
        mentors.sort();
        mentors.dedup();
        let ratings = self.mentor_ratings(mentors).await?;
        let views = items
            .into_iter()
            .map(|session| {
                let mentor_rating = ratings.get(&session.mentor_id).copied().unwrap_or_default();
                SessionView {
                    session,
                    mentor_rating,
                }
            })
            .collect();
        Ok((views, next))
    }

    /// The bookings of a session (its mentor only).
    pub async fn session_bookings(
        &self,
        actor: &Actor,
        id: Uuid,
        page: PageRequest,
    ) -> Result<Page<Booking>, AppError> {
        let session = self.load_session(id).await?;
        if session.mentor_id != actor.id() {
            return Err(AppError::Forbidden);
        }
        Ok(self.ports.bookings.of_session(id, page).await?)
    }

    /// Rating summaries of mentors, for profiles and listings.
    pub async fn mentor_ratings(
        &self,
        mentor_ids: Vec<Uuid>,
    ) -> Result<std::collections::HashMap<Uuid, RatingSummary>, AppError> {
        if mentor_ids.is_empty() {
            return Ok(Default::default());
        }
        Ok(self.ports.feedbacks.summaries(mentor_ids).await?)
    }

    /// My upcoming sessions, as mentor or booked learner (for the calendar feed).
    pub async fn my_upcoming_sessions(
        &self,
        actor: &Actor,
    ) -> Result<Vec<MentoringSession>, AppError> {
        Ok(self
            .ports
            .sessions
            .upcoming_for_user(
                actor.id(),
                self.ports.clock.now(),
                super::calendar::CALENDAR_SESSIONS,
            )
            .await?)
    }
}
