//! [`BookingStore`]: seats taken, moved and freed, each in one write transaction guarded
//! by the database (see [`super::guards`]).

use std::collections::HashMap;

use async_trait::async_trait;
use lyceum_domain::mentoring::{Booking, CancellationReason, MentoringSession, PaymentStatus};
use lyceum_ports::idempotency::IdempotencyClaim;
use lyceum_ports::mentoring::{BookingFilter, BookingRepository, ReserveOutcome};
use lyceum_ports::outbox::{BookingNotices, Notice, Outbox};
use lyceum_ports::{Conflict, Page, PageRequest, RepoError};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::entities::{bookings, mentoring_sessions as sessions};
use super::guards::{LIVE, lock_sessions, release_seat, stmt, take_seat};
use super::rows::{booking_from_row, booking_row, session_from_row, write_error};
use crate::database::{Database, db_time, finish, unavailable};
use crate::guarded_write::{GuardedWrite, changed_or_explain, stale_state};
use crate::idempotency::{claimed_resource, record_claim};
use crate::outbox;
use crate::pagination::IdOrder::{NewestFirst, OldestFirst};
use crate::pagination::{page_from_rows, page_rows};

/// Bookings on SeaORM.
#[derive(Debug, Clone)]
pub struct BookingStore {
    db: Database,
}

impl BookingStore {
    /// An adapter over `db`.
    pub fn new(db: &Database) -> Self {
        Self { db: db.clone() }
    }

    async fn load(
        conn: &impl ConnectionTrait,
        id: Uuid,
    ) -> Result<Option<bookings::Model>, RepoError> {
        bookings::Entity::find_by_id(id)
            .one(conn)
            .await
            .map_err(unavailable)
    }

    async fn reload(conn: &impl ConnectionTrait, id: Uuid) -> Result<Booking, RepoError> {
        Self::load(conn, id)
            .await?
            .ok_or(RepoError::NotFound)
            .and_then(booking_from_row)
    }

    async fn reserve_in(
        &self,
        tx: &DatabaseTransaction,
        booking: Booking,
        claim: Option<IdempotencyClaim>,
        now: OffsetDateTime,
        notices: Outbox,
    ) -> Result<ReserveOutcome, RepoError> {
        if let Some(claim) = &claim
            && let Some(first) = claimed_resource(&self.db, tx, claim, now).await?
        {
            // The booking is gone only if its session or learner was erased since.
            return Self::reload(tx, first).await.map(ReserveOutcome::Replayed);
        }
        take_seat(&self.db, tx, booking.session_id, now).await?;
        let row = booking_row(&booking);
        bookings::Entity::insert(bookings::ActiveModel::from(row.clone()))
            .exec_without_returning(tx)
            .await
            .map_err(write_error)?;
        if let Some(claim) = claim {
            record_claim(tx, claim, row.id, now).await?;
        }
        outbox::record(&self.db, tx, notices).await?;
        booking_from_row(row).map(ReserveOutcome::Created)
    }

    async fn cancel_in(
        &self,
        tx: &DatabaseTransaction,
        id: Uuid,
        cancelled_by: Uuid,
        reason: Option<CancellationReason>,
        payment_status: PaymentStatus,
        now: OffsetDateTime,
    ) -> Result<Booking, RepoError> {
        let Some(current) = Self::load(tx, id).await? else {
            return Err(RepoError::NotFound);
        };
        let session_id = current.session_id;
        lock_sessions(&self.db, tx, &[session_id]).await?;
        // Guarded by the status (and the session, in case a reschedule moved it since it
        // was read): only a live booking is cancelled, and only once.
        let changed = tx
            .execute_raw(stmt(
                self.db.db_backend(),
                &format!(
                    "UPDATE bookings SET status = 'cancelled', payment_status = $1, \
                     cancelled_by = $2, cancellation_reason = $3, cancelled_at = $4, \
                     updated_at = $4 \
                     WHERE id = $5 AND session_id = $6 AND status IN {LIVE}"
                ),
                vec![
                    payment_status.as_str().into(),
                    cancelled_by.into(),
                    reason.as_ref().map(ToString::to_string).into(),
                    now.into(),
                    id.into(),
                    session_id.into(),
                ],
            ))
            .await
            .map_err(unavailable)?;
        changed_or_explain::<bookings::Entity>(&changed, tx, id, stale_state).await?;
        release_seat(&self.db, tx, session_id, now).await?;
        Self::reload(tx, id).await
    }

    async fn reschedule_in(
        &self,
        tx: &DatabaseTransaction,
        id: Uuid,
        target: Uuid,
        now: OffsetDateTime,
    ) -> Result<Booking, RepoError> {
        let Some(current) = Self::load(tx, id).await? else {
            return Err(RepoError::NotFound);
        };
        if !matches!(current.status.as_str(), "pending" | "confirmed") {
            return Err(RepoError::Conflict(Conflict::StaleState));
        }
        let from = current.session_id;
        lock_sessions(&self.db, tx, &[from, target]).await?;
        take_seat(&self.db, tx, target, now).await?;
        let moved = tx
            .execute_raw(stmt(
                self.db.db_backend(),
                &format!(
                    "UPDATE bookings SET session_id = $1, updated_at = $2 \
                     WHERE id = $3 AND session_id = $4 AND status IN {LIVE}"
                ),
                vec![target.into(), now.into(), id.into(), from.into()],
            ))
            .await
            .map_err(write_error)?;
        moved.changed_or(RepoError::Conflict(Conflict::StaleState))?;
        release_seat(&self.db, tx, from, now).await?;
        Self::reload(tx, id).await
    }

    /// Expires one hold; `None` if it was paid, cancelled or moved meanwhile.
    async fn confirm_in(
        &self,
        tx: &DatabaseTransaction,
        id: Uuid,
        reference: String,
        now: OffsetDateTime,
        outbox: Outbox,
    ) -> Result<Booking, RepoError> {
        let changed = tx
            .execute_raw(stmt(
                self.db.db_backend(),
                "UPDATE bookings SET status = 'confirmed', payment_status = 'paid', \
                 payment_reference = $1, updated_at = $2 WHERE id = $3 AND status = 'pending'",
                vec![reference.into(), db_time(now).into(), id.into()],
            ))
            .await
            .map_err(unavailable)?;
        changed_or_explain::<bookings::Entity>(&changed, tx, id, stale_state).await?;
        outbox::record(&self.db, tx, outbox).await?;
        Self::reload(tx, id).await
    }

    async fn expire_one(
        &self,
        tx: &DatabaseTransaction,
        id: Uuid,
        session_id: Uuid,
        now: OffsetDateTime,
    ) -> Result<Option<Booking>, RepoError> {
        lock_sessions(&self.db, tx, &[session_id]).await?;
        let changed = tx
            .execute_raw(stmt(
                self.db.db_backend(),
                "UPDATE bookings SET status = 'cancelled', payment_status = 'failed', \
                 cancellation_reason = 'hold_expired', cancelled_at = $1, updated_at = $1 \
                 WHERE id = $2 AND session_id = $3 AND status = 'pending' \
                 AND hold_expires_at <= $1",
                vec![now.into(), id.into(), session_id.into()],
            ))
            .await
            .map_err(unavailable)?;
        if !changed.changed_any() {
            return Ok(None);
        }
        release_seat(&self.db, tx, session_id, now).await?;
        Self::reload(tx, id).await.map(Some)
    }
}

#[async_trait]
impl BookingRepository for BookingStore {
    async fn reserve_seat(
        &self,
        booking: Booking,
        claim: Option<IdempotencyClaim>,
        now: OffsetDateTime,
        outbox: Outbox,
    ) -> Result<ReserveOutcome, RepoError> {
        let now = db_time(now);
        let tx = self.db.begin_write().await?;
        let outcome = self.reserve_in(&tx, booking, claim, now, outbox).await;
        finish(tx, outcome).await
    }

    async fn by_id(&self, id: Uuid) -> Result<Option<Booking>, RepoError> {
        Self::load(self.db.connection(), id)
            .await?
            .map(booking_from_row)
            .transpose()
    }

    async fn cancel(
        &self,
        id: Uuid,
        cancelled_by: Uuid,
        reason: Option<CancellationReason>,
        payment_status: PaymentStatus,
        now: OffsetDateTime,
        outbox: Outbox,
    ) -> Result<Booking, RepoError> {
        let now = db_time(now);
        let tx = self.db.begin_write().await?;
        let outcome = self
            .cancel_in(&tx, id, cancelled_by, reason, payment_status, now)
            .await;
        outbox::finish_with(&self.db, tx, outcome, outbox).await
    }

    async fn confirm_payment(
        &self,
        id: Uuid,
        reference: String,
        now: OffsetDateTime,
        outbox: Outbox,
    ) -> Result<Booking, RepoError> {
        let tx = self.db.begin_write().await?;
        let outcome = self.confirm_in(&tx, id, reference, now, outbox).await;
        finish(tx, outcome).await
    }

    async fn reschedule(
        &self,
        id: Uuid,
        target_session_id: Uuid,
        now: OffsetDateTime,
        outbox: Outbox,
    ) -> Result<Booking, RepoError> {
        let now = db_time(now);
        let tx = self.db.begin_write().await?;
        let outcome = self.reschedule_in(&tx, id, target_session_id, now).await;
        outbox::finish_with(&self.db, tx, outcome, outbox).await
    }

    async fn of_learner(
        &self,
        learner_id: Uuid,
        filter: BookingFilter,
        page: PageRequest,
    ) -> Result<Page<Booking>, RepoError> {
        let mut select =
            bookings::Entity::find().filter(bookings::Column::LearnerId.eq(learner_id));
        if let Some(status) = filter.status {
            select = select.filter(bookings::Column::Status.eq(status.as_str()));
        }
        let id = bookings::Column::Id;
        let rows = page_rows(self.db.connection(), select, id, NewestFirst, page).await?;
        page_from_rows(rows, page, booking_from_row, |b| b.id)
    }

    async fn of_session(
        &self,
        session_id: Uuid,
        page: PageRequest,
    ) -> Result<Page<Booking>, RepoError> {
        let select = bookings::Entity::find().filter(bookings::Column::SessionId.eq(session_id));
        let id = bookings::Column::Id;
        let rows = page_rows(self.db.connection(), select, id, OldestFirst, page).await?;
        page_from_rows(rows, page, booking_from_row, |b| b.id)
    }

    async fn expire_holds(
        &self,
        now: OffsetDateTime,
        tell: BookingNotices,
    ) -> Result<Vec<Booking>, RepoError> {
        let now = db_time(now);
        let candidates: Vec<(Uuid, Uuid)> = bookings::Entity::find()
            .select_only()
            .column(bookings::Column::Id)
            .column(bookings::Column::SessionId)
            .filter(bookings::Column::Status.eq("pending"))
            .filter(bookings::Column::HoldExpiresAt.lte(now))
            .order_by_asc(bookings::Column::HoldExpiresAt)
            .order_by_asc(bookings::Column::Id)
            .into_tuple()
            .all(self.db.connection())
            .await
            .map_err(unavailable)?;
        let mut expired = Vec::new();
        for (id, session_id) in candidates {
            let tx = self.db.begin_write().await?;
            let outcome = match self.expire_one(&tx, id, session_id, now).await {
                Ok(Some(booking)) => {
                    let notices: Vec<Notice> = tell(&booking);
                    outbox::record(&self.db, &tx, Outbox::notices(notices))
                        .await
                        .map(|()| Some(booking))
                }
                other => other,
            };
            if let Some(booking) = finish(tx, outcome).await? {
                expired.push(booking);
            }
        }
        Ok(expired)
    }

    async fn starting_within(
        &self,
        now: OffsetDateTime,
        from: Duration,
        to: Duration,
    ) -> Result<Vec<(Booking, MentoringSession)>, RepoError> {
        let now = db_time(now);
        let conn = self.db.connection();
        let rows = bookings::Entity::find()
            .from_raw_sql(stmt(
                self.db.db_backend(),
                "SELECT b.* FROM bookings b JOIN mentoring_sessions s ON s.id = b.session_id \
                 WHERE b.status = 'confirmed' AND s.status = 'scheduled' \
                 AND s.starts_at > $1 AND s.starts_at <= $2 \
                 ORDER BY s.starts_at, b.id",
                vec![db_time(now + from).into(), db_time(now + to).into()],
            ))
            .all(conn)
            .await
            .map_err(unavailable)?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let mut session_ids: Vec<Uuid> = rows.iter().map(|b| b.session_id).collect();
        session_ids.sort();
        session_ids.dedup();
        let sessions: HashMap<Uuid, MentoringSession> = sessions::Entity::find()
            .filter(sessions::Column::Id.is_in(session_ids))
            .all(conn)
            .await
            .map_err(unavailable)?
            .into_iter()
            .map(|row| session_from_row(row).map(|s| (s.id, s)))
            .collect::<Result<_, _>>()?;
        rows.into_iter()
            .filter_map(|row| {
                let session = sessions.get(&row.session_id)?.clone();
                Some(booking_from_row(row).map(|b| (b, session)))
            })
            .collect()
    }
}
