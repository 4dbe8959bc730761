//! Taking, paying, cancelling and moving seats.

use lyceum_domain::community::NotificationKind;
use lyceum_domain::identity::Role;
use lyceum_domain::mentoring::{
    Booking, BookingStatus, CancellationReason, Canceller, MentoringSession, PaymentStatus,
    check_booking, check_cancellation, check_reschedule,
};
use lyceum_ports::mentoring::{BookingFilter, ReserveOutcome};
use lyceum_ports::outbox::{Notice, Outbox};
use lyceum_ports::payments::{ChargeRequest, PaymentError};
use lyceum_ports::{Conflict, Page, PageRequest, RepoError};
use uuid::Uuid;

use super::sessions::session_conflict;
use crate::Resource;
use crate::community::{NotificationDraft, fact_time};
use crate::idempotency::{Claimed, Keyed, Reply};
use crate::identity::Actor;
use crate::mentoring::MentoringError;
use crate::{AppError, Lyceum};
use lyceum_domain::community::{Subject, SubjectKind};

/// A booking request's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookingResult {
    /// The booking (the first request's on a replay).
    pub booking: Booking,
    /// True when an earlier request with the same idempotency key produced it.
    pub replayed: bool,
}

/// A guarded booking transition that found the booking in another state.
fn booking_stale(error: RepoError, refusal: MentoringError) -> AppError {
    match error {
        RepoError::Conflict(Conflict::StaleState) => refusal.into(),
        RepoError::NotFound => AppError::NotFound(Resource::Booking),
        other => other.into(),
    }
}

impl Lyceum {
    /// Takes a seat for the caller. Any account may book (every account may learn), but
    /// never its own session, and only while the session's mentor still mentors. Free
    /// sessions confirm at once; paid sessions hold the seat for the configured time
    /// awaiting payment. The capacity is guarded by the database, so concurrent requests
    /// never overbook. With an idempotency key, a retry returns the first answer: the
    /// booking as it was then (even if cancelled since), or the refusal (full, closed, own
    /// session) even once a seat has freed. Keys are the learner's own.
    pub async fn book_session(
        &self,
        actor: &Actor,
        session_id: Uuid,
        idempotency: Option<Keyed<'_, BookingResult>>,
    ) -> Result<Reply<BookingResult>, AppError> {
        let scope = format!("booking:{}", actor.id());
        self.once(scope, idempotency, |claim| {
            self.take_seat(actor, session_id, claim)
        })
        .await
    }

    async fn take_seat(
        &self,
        actor: &Actor,
        session_id: Uuid,
        claimed: Option<Claimed>,
    ) -> Result<BookingResult, AppError> {
        let session = self.load_session(session_id).await?;
        let committed = claimed.as_ref().is_some_and(|claimed| claimed.committed);
        let claim = claimed.map(|claimed| claimed.claim);
        let now = self.ports.clock.now();
        let start = match check_booking(&session, actor.id(), now, self.settings.booking_hold) {
            Ok(start) => start,
            // A key whose booking is committed but whose answer was not stored replays from
            // the booking even if the session is full or started since: the repository
            // finds it (and takes no seat).
            Err(
                lyceum_domain::mentoring::BookingError::SessionFull { .. }
                | lyceum_domain::mentoring::BookingError::SessionNotBookable,
            ) if committed => lyceum_domain::mentoring::BookingStart {
                status: BookingStatus::Confirmed,
                payment_status: PaymentStatus::Paid,
                hold_expires_at: None,
            },
            Err(error) => return Err(error.into()),
        };
        self.require_mentoring(session.mentor_id).await?;
        let booking = Booking {
            id: self.ports.ids.new_id(),
            session_id,
            learner_id: actor.id(),
            status: start.status,
            payment_status: start.payment_status,
            amount: session.price,
            hold_expires_at: start.hold_expires_at,
            payment_reference: None,
            cancelled_by: None,
            cancellation_reason: None,
            created_at: now,
            updated_at: now,
        };
        let outbox = Outbox::notices(self.booking_notices(&session, &booking));
        let outcome = self
            .ports
            .bookings
            .reserve_seat(booking, claim, now, outbox)
            .await
            .map_err(|e| session_conflict(e, Some(&session)))?;
        let (booking, replayed) = match outcome {
            ReserveOutcome::Created(booking) => (booking, false),
            ReserveOutcome::Replayed(booking) => (booking, true),
        };
        Ok(BookingResult { booking, replayed })
    }

    /// Refuses a seat in the sessions of someone who no longer mentors: being booked is
    /// mentoring, and needs an account that mentors as much as running a session does.
    async fn require_mentoring(&self, mentor_id: Uuid) -> Result<(), AppError> {
        let mentor = self.ports.users.by_id(mentor_id).await?;
        if mentor.is_some_and(|m| m.can_mentor()) {
            Ok(())
        } else {
            Err(MentoringError::MentorInactive.into())
        }
    }

    /// What a new booking tells: the learner when it is confirmed at once, the mentor
    /// always.
    fn booking_notices(&self, session: &MentoringSession, booking: &Booking) -> Vec<Notice> {
        let mut notices = Vec::new();
        if booking.status == BookingStatus::Confirmed {
            notices.push(self.booking_confirmed_notice(session, booking));
        }
        notices.push(self.notice(NotificationDraft {
                user_id: session.mentor_id,
                kind: NotificationKind::BookingConfirmed,
                subject: Subject::new(SubjectKind::SessionRoster, session.id),
                data: serde_json::json!({"audience": "mentor", "session_id": session.id, "session_title": session.title.as_str(),
                                         "booking_id": booking.id, "status": booking.status.as_str()}),
        }));
        notices
    }

    fn booking_confirmed_notice(&self, session: &MentoringSession, booking: &Booking) -> Notice {
        self.notice(NotificationDraft {
            user_id: booking.learner_id,
            kind: NotificationKind::BookingConfirmed,
            subject: Subject::new(SubjectKind::Booking, booking.id),
            data: serde_json::json!({"audience": "learner", "session_id": session.id, "session_title": session.title.as_str(),
                                     "starts_at": fact_time(session.starts_at), "booking_id": booking.id}),
        })
    }

    /// A booking, for its learner or the session's mentor; anyone else gets "not found".
    pub async fn booking(
        &self,
        actor: &Actor,
        id: Uuid,
    ) -> Result<(Booking, MentoringSession), AppError> {
        let booking = self
            .ports
            .bookings
            .by_id(id)
            .await?
            .ok_or(AppError::NotFound(Resource::Booking))?;
        let session = self.load_session(booking.session_id).await?;
        if booking.learner_id != actor.id()
            && session.mentor_id != actor.id()
            && !actor.user.has_role(Role::Admin)
        {
            return Err(AppError::NotFound(Resource::Booking));
        }
        Ok((booking, session))
    }

    /// Pays a pending booking through the payment gateway and confirms it. A hold that
    /// expired meanwhile is a conflict and nothing is charged twice: the charge carries the
    /// booking id as its idempotency key.
    pub async fn pay_booking(&self, actor: &Actor, id: Uuid) -> Result<Booking, AppError> {
        let (booking, session) = self.booking(actor, id).await?;
        if booking.learner_id != actor.id() {
            return Err(AppError::Forbidden);
        }
        booking.status.transition(BookingStatus::Confirmed)?;
        let now = self.ports.clock.now();
        if booking.hold_expires_at.is_some_and(|until| until <= now) {
            return Err(MentoringError::HoldExpired.into());
        }
        let receipt = self
            .ports
            .payments
            .charge(ChargeRequest {
                booking_id: booking.id,
                payer_id: actor.id(),
                amount: booking.amount,
                idempotency_key: format!("booking-{}", booking.id),
            })
            .await
            .map_err(|e| match e {
                PaymentError::Declined(why) => MentoringError::PaymentDeclined(why).into(),
                PaymentError::Unavailable(cause) => AppError::Internal(cause),
            })?;
        let outbox = Outbox::notices(vec![self.booking_confirmed_notice(&session, &booking)]);
        let confirmed = self
            .ports
            .bookings
            .confirm_payment(id, receipt.reference.clone(), now, outbox)
            .await
            .map_err(|e| booking_stale(e, MentoringError::HoldExpired))?;
        Ok(confirmed)
    }

    /// Cancels a booking: its learner until the cut-off before the start, the session's
    /// mentor any time. The seat is freed in the same transaction; a paid seat is refunded.
    pub async fn cancel_booking(
        &self,
        actor: &Actor,
        id: Uuid,
        reason: Option<String>,
    ) -> Result<Booking, AppError> {
        let (booking, session) = self.booking(actor, id).await?;
        let by = if booking.learner_id == actor.id() {
            Canceller::Learner
        } else if session.mentor_id == actor.id() {
            Canceller::Mentor
        } else {
            return Err(AppError::Forbidden);
        };
        let reason = CancellationReason::parse_optional(reason.as_deref())
            .map_err(|e| AppError::rejected("reason", e))?;
        let now = self.ports.clock.now();
        check_cancellation(
            &booking,
            &session,
            by,
            now,
            self.settings.learner_cancellation_cutoff,
        )?;
        let payment_status = match booking.payment_status {
            PaymentStatus::Paid if !booking.amount.is_zero() => PaymentStatus::Refunded,
            PaymentStatus::Pending => PaymentStatus::Failed,
            other => other,
        };
        let (notify, cancelled_by) = match by {
            Canceller::Learner => (session.mentor_id, "learner"),
            Canceller::Mentor => (booking.learner_id, "mentor"),
        };
        let outbox = Outbox::notices(vec![self.notice(NotificationDraft {
            user_id: notify,
            kind: NotificationKind::BookingCancelled,
            subject: Subject::new(SubjectKind::MentoringSession, session.id),
            data: serde_json::json!({"cancelled_by": cancelled_by, "session_id": session.id,
                                     "session_title": session.title.as_str(), "booking_id": id}),
        })]);
        let cancelled = self
            .ports
            .bookings
            .cancel(id, actor.id(), reason, payment_status, now, outbox)
            .await
            .map_err(|e| booking_stale(e, MentoringError::BookingNotLive))?;
        self.refund_if_paid(&cancelled).await;
        Ok(cancelled)
    }

    /// Moves my booking to another session of the same mentor at the same price, while
    /// that mentor still mentors: the seat is taken there and released here in one
    /// transaction, or nothing changes.
    pub async fn reschedule_booking(
        &self,
        actor: &Actor,
        id: Uuid,
        target_session_id: Uuid,
    ) -> Result<Booking, AppError> {
        let (booking, from) = self.booking(actor, id).await?;
        if booking.learner_id != actor.id() {
            return Err(AppError::Forbidden);
        }
        let target = self.load_session(target_session_id).await?;
        let now = self.ports.clock.now();
        check_reschedule(&booking, &from, &target, now)?;
        self.require_mentoring(target.mentor_id).await?;
        let notices = [from.mentor_id, booking.learner_id]
            .into_iter()
            .map(|user_id| {
                self.notice(NotificationDraft {
                    user_id,
                    kind: NotificationKind::SessionRescheduled,
                    subject: Subject::new(SubjectKind::Booking, id),
                    data: serde_json::json!({"booking_id": id, "from_session_id": from.id, "from_title": from.title.as_str(),
                                             "from_starts_at": fact_time(from.starts_at), "to_session_id": target.id,
                                             "to_title": target.title.as_str(), "to_starts_at": fact_time(target.starts_at)}),
                })
            })
            .collect();
        let moved = self
            .ports
            .bookings
            .reschedule(id, target_session_id, now, Outbox::notices(notices))
            .await
            .map_err(|e| match e {
                RepoError::Conflict(Conflict::StaleState) => MentoringError::BookingNotLive.into(),
                other => session_conflict(other, Some(&target)),
            })?;
        Ok(moved)
    }

    /// My bookings, newest first.
    pub async fn my_bookings(
        &self,
        actor: &Actor,
        filter: BookingFilter,
        page: PageRequest,
    ) -> Result<Page<Booking>, AppError> {
        Ok(self
            .ports
            .bookings
            .of_learner(actor.id(), filter, page)
            .await?)
    }
}
