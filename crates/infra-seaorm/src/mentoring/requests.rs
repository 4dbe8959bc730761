//! [`MentorshipRequestStore`]: mentorship requests; every transition is guarded by the status it
//! leaves, so two concurrent answers cannot both win.

use async_trait::async_trait;
use lyceum_domain::mentoring::{
    Booking, MentoringSession, MentorshipRequest, RequestNote, RequestStatus,
};
use lyceum_ports::mentoring::{MentorshipRequestRepository, RequestSide};
use lyceum_ports::{Page, PageRequest, RepoError};
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter};
use time::OffsetDateTime;
use uuid::Uuid;

use super::entities::{bookings, mentoring_sessions as sessions, mentorship_requests as requests};
use super::guards::{cancel_live_bookings, ensure_mentor_free, lock_mentor, lock_sessions, stmt};
use super::rows::{booking_row, request_from_row, request_row, session_row, write_error};
use crate::database::{Database, db_time, unavailable};
use crate::guarded_write::{GuardedWrite, changed_or_explain, stale_state};
use crate::outbox;
use crate::pagination::IdOrder::NewestFirst;
use crate::pagination::{page_from_rows, page_rows};
use lyceum_ports::outbox::Outbox;

/// Mentorship requests on SeaORM.
#[derive(Debug, Clone)]
pub struct MentorshipRequestStore {
    db: Database,
}

impl MentorshipRequestStore {
    /// An adapter over `db`.
    pub fn new(db: &Database) -> Self {
        Self { db: db.clone() }
    }

    async fn load(
        conn: &impl ConnectionTrait,
        id: Uuid,
    ) -> Result<Option<requests::Model>, RepoError> {
        requests::Entity::find_by_id(id)
            .one(conn)
            .await
            .map_err(unavailable)
    }

    async fn reload(conn: &impl ConnectionTrait, id: Uuid) -> Result<MentorshipRequest, RepoError> {
        Self::load(conn, id)
            .await?
            .ok_or(RepoError::NotFound)
            .and_then(request_from_row)
    }

    async fn accept_in(
        &self,
        tx: &DatabaseTransaction,
        id: Uuid,
        session: MentoringSession,
        booking: Booking,
        response_message: Option<RequestNote>,
        now: OffsetDateTime,
    ) -> Result<MentorshipRequest, RepoError> {
        // The mentor's lock first (the lock order); once the request is known to be
        // pending, the 1:1 must fit the mentor's time.
        let row = session_row(&session);
        lock_mentor(&self.db, tx, row.mentor_id).await?;
        let changed = tx
            .execute_raw(stmt(
                self.db.db_backend(),
                "UPDATE mentorship_requests SET status = 'accepted', response_message = $1, \
                 session_id = $2, updated_at = $3 WHERE id = $4 AND status = 'pending'",
                vec![
                    response_message.map(|m| m.as_str().to_owned()).into(),
                    session.id.into(),
                    now.into(),
                    id.into(),
                ],
            ))
            .await
            .map_err(unavailable)?;
        changed_or_explain::<requests::Entity>(&changed, tx, id, stale_state).await?;
        ensure_mentor_free(tx, row.mentor_id, row.starts_at, row.ends_at, None).await?;
        sessions::Entity::insert(sessions::ActiveModel::from(row))
            .exec_without_returning(tx)
            .await
            .map_err(write_error)?;
        bookings::Entity::insert(bookings::ActiveModel::from(booking_row(&booking)))
            .exec_without_returning(tx)
            .await
            .map_err(write_error)?;
        Self::reload(tx, id).await
    }

    async fn transition_in(
        &self,
        tx: &DatabaseTransaction,
        id: Uuid,
        from: RequestStatus,
        to: RequestStatus,
        response_message: Option<RequestNote>,
        now: OffsetDateTime,
    ) -> Result<MentorshipRequest, RepoError> {
        let conn = tx;
        let changed = conn
            .execute_raw(stmt(
                self.db.db_backend(),
                "UPDATE mentorship_requests SET status = $1, \
                 response_message = COALESCE($2, response_message), updated_at = $3 \
                 WHERE id = $4 AND status = $5",
                vec![
                    to.as_str().into(),
                    response_message.map(|m| m.as_str().to_owned()).into(),
                    db_time(now).into(),
                    id.into(),
                    from.as_str().into(),
                ],
            ))
            .await
            .map_err(unavailable)?;
        changed_or_explain::<requests::Entity>(&changed, conn, id, stale_state).await?;
        Self::reload(conn, id).await
    }

    async fn cancel_accepted_in(
        &self,
        tx: &DatabaseTransaction,
        id: Uuid,
        cancelled_by: Uuid,
        now: OffsetDateTime,
    ) -> Result<MentorshipRequest, RepoError> {
        let Some(current) = Self::load(tx, id).await? else {
            return Err(RepoError::NotFound);
        };
        // Session first, then the request: the lock order every other writer uses.
        if let Some(session_id) = current.session_id {
            lock_sessions(&self.db, tx, &[session_id]).await?;
        }
        let backend = self.db.db_backend();
        let changed = tx
            .execute_raw(stmt(
                backend,
                "UPDATE mentorship_requests SET status = 'cancelled', updated_at = $1 \
                 WHERE id = $2 AND status = 'accepted'",
                vec![now.into(), id.into()],
            ))
            .await
            .map_err(unavailable)?;
        changed_or_explain::<requests::Entity>(&changed, tx, id, stale_state).await?;
        if let Some(session_id) = current.session_id {
            let session = tx
                .execute_raw(stmt(
                    backend,
                    "UPDATE mentoring_sessions SET status = 'cancelled', seats_taken = 0, \
                     cancelled_at = $1, cancelled_by = $2, updated_at = $1 \
                     WHERE id = $3 AND status IN ('scheduled', 'active')",
                    vec![now.into(), cancelled_by.into(), session_id.into()],
                ))
                .await
                .map_err(unavailable)?;
            if session.changed_any() {
                cancel_live_bookings(
                    &self.db,
                    tx,
                    session_id,
                    cancelled_by,
                    "request_cancelled",
                    now,
                )
                .await?;
            }
        }
        Self::reload(tx, id).await
    }
}

#[async_trait]
impl MentorshipRequestRepository for MentorshipRequestStore {
    async fn create(
        &self,
        request: MentorshipRequest,
        outbox: Outbox,
    ) -> Result<MentorshipRequest, RepoError> {
        let row = request_row(&request);
        let tx = self.db.begin_write().await?;
        let outcome = requests::Entity::insert(requests::ActiveModel::from(row.clone()))
            .exec_without_returning(&tx)
            .await
            .map_err(write_error);
        outbox::finish_with(&self.db, tx, outcome, outbox).await?;
        request_from_row(row)
    }

    async fn by_id(&self, id: Uuid) -> Result<Option<MentorshipRequest>, RepoError> {
        Self::load(self.db.connection(), id)
            .await?
            .map(request_from_row)
            .transpose()
    }

    async fn transition(
        &self,
        id: Uuid,
        from: RequestStatus,
        to: RequestStatus,
        response_message: Option<RequestNote>,
        now: OffsetDateTime,
        outbox: Outbox,
    ) -> Result<MentorshipRequest, RepoError> {
        let tx = self.db.begin_write().await?;
        let outcome = self
            .transition_in(&tx, id, from, to, response_message, now)
            .await;
        outbox::finish_with(&self.db, tx, outcome, outbox).await
    }

    async fn accept(
        &self,
        id: Uuid,
        session: MentoringSession,
        booking: Booking,
        response_message: Option<RequestNote>,
        now: OffsetDateTime,
        outbox: Outbox,
    ) -> Result<MentorshipRequest, RepoError> {
        let now = db_time(now);
        let tx = self.db.begin_write().await?;
        let outcome = self
            .accept_in(&tx, id, session, booking, response_message, now)
            .await;
        outbox::finish_with(&self.db, tx, outcome, outbox).await
    }

    async fn cancel_accepted(
        &self,
        id: Uuid,
        cancelled_by: Uuid,
        now: OffsetDateTime,
        outbox: Outbox,
    ) -> Result<MentorshipRequest, RepoError> {
        let now = db_time(now);
        let tx = self.db.begin_write().await?;
        let outcome = self.cancel_accepted_in(&tx, id, cancelled_by, now).await;
        outbox::finish_with(&self.db, tx, outcome, outbox).await
    }

    async fn of_user(
        &self,
        user_id: Uuid,
        side: RequestSide,
        status: Option<RequestStatus>,
        page: PageRequest,
    ) -> Result<Page<MentorshipRequest>, RepoError> {
        let mut select = requests::Entity::find().filter(match side {
            RequestSide::AsLearner => requests::Column::LearnerId.eq(user_id),
            RequestSide::AsMentor => requests::Column::MentorId.eq(user_id),
        });
        if let Some(status) = status {
            select = select.filter(requests::Column::Status.eq(status.as_str()));
        }
        let id = requests::Column::Id;
        let rows = page_rows(self.db.connection(), select, id, NewestFirst, page).await?;
        page_from_rows(rows, page, request_from_row, |r| r.id)
    }
}
