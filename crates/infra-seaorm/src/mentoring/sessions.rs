//! [`MentoringSessionStore`]: mentoring sessions, their discovery and their life-cycle jobs.

use async_trait::async_trait;
use lyceum_domain::mentoring::{Booking, MentoringSession};
use lyceum_ports::mentoring::{
    MentoringSessionRepository, SessionChanges, SessionCursor, SessionFilter, SessionPage,
    SessionSort,
};
use lyceum_ports::{Conflict, RepoError};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Select,
};
use time::OffsetDateTime;
use uuid::Uuid;

use super::entities::{bookings, mentoring_sessions as sessions};
use super::guards::{
    LIVE, cancel_live_bookings, ensure_mentor_free, lock_mentor, mentor_sessions_between, stmt,
};
use super::rows::{booking_from_row, session_from_row, session_row, write_error};
use crate::database::{Database, db_time, finish, unavailable};
use crate::guarded_write::{GuardedWrite, changed_or_explain, stale_state};
use crate::outbox;
use lyceum_ports::outbox::{BookingNotices, Outbox};

/// Mentoring sessions on SeaORM.
#[derive(Debug, Clone)]
pub struct MentoringSessionStore {
    db: Database,
}

impl MentoringSessionStore {
    /// An adapter over `db`.
    pub fn new(db: &Database) -> Self {
        Self { db: db.clone() }
    }

    async fn load(
        &self,
        conn: &impl ConnectionTrait,
        id: Uuid,
    ) -> Result<Option<sessions::Model>, RepoError> {
        sessions::Entity::find_by_id(id)
            .one(conn)
            .await
            .map_err(unavailable)
    }

    async fn reload(
        &self,
        conn: &impl ConnectionTrait,
        id: Uuid,
    ) -> Result<MentoringSession, RepoError> {
        self.load(conn, id)
            .await?
            .ok_or(RepoError::NotFound)
            .and_then(session_from_row)
    }

    /// Candidate ids for a job, oldest first; each is then changed under its own guard.
    async fn candidates(&self, select: Select<sessions::Entity>) -> Result<Vec<Uuid>, RepoError> {
        select
            .select_only()
            .column(sessions::Column::Id)
            .order_by_asc(sessions::Column::StartsAt)
            .order_by_asc(sessions::Column::Id)
            .into_tuple::<Uuid>()
            .all(self.db.connection())
            .await
            .map_err(unavailable)
    }

    /// Completes one session with its confirmed bookings and its request; `None` if
    /// another caller changed it first.
    async fn complete_one(
        &self,
        tx: &DatabaseTransaction,
        id: Uuid,
        now: OffsetDateTime,
    ) -> Result<Option<MentoringSession>, RepoError> {
        let backend = self.db.db_backend();
        let changed = tx
            .execute_raw(stmt(
                backend,
                "UPDATE mentoring_sessions SET status = 'completed', updated_at = $1 \
                 WHERE id = $2 AND status IN ('scheduled', 'active') AND ends_at <= $1",
                vec![now.into(), id.into()],
            ))
            .await
            .map_err(unavailable)?;
        if !changed.changed_any() {
            return Ok(None);
        }
        let completed = tx
            .execute_raw(stmt(
                backend,
                "UPDATE bookings SET status = 'completed', updated_at = $1 \
                 WHERE session_id = $2 AND status = 'confirmed'",
                vec![now.into(), id.into()],
            ))
            .await
            .map_err(unavailable)?
            .rows_affected();
        let completed = i64::try_from(completed).unwrap_or(i64::MAX);
        tx.execute_raw(stmt(
            backend,
            "UPDATE mentoring_sessions SET completed_booking_count = completed_booking_count + $1 \
             WHERE id = $2",
            vec![completed.into(), id.into()],
        ))
        .await
        .map_err(unavailable)?;
        tx.execute_raw(stmt(
            backend,
            "UPDATE mentorship_requests SET status = 'completed', updated_at = $1 \
             WHERE session_id = $2 AND status = 'accepted'",
            vec![now.into(), id.into()],
        ))
        .await
        .map_err(unavailable)?;
        self.reload(tx, id).await.map(Some)
    }

    /// Saves a session's edited fields in the caller's transaction, under the mentor's
    /// lock: the session's time as it stands is read once the lock is held (no other
    /// write can move it meanwhile), and a different time is checked against the mentor's
    /// other sessions. An edit that keeps the time is not checked, so a title can always
    /// be fixed.
    async fn update_in(
        &self,
        tx: &DatabaseTransaction,
        id: Uuid,
        changes: SessionChanges,
        now: OffsetDateTime,
    ) -> Result<MentoringSession, RepoError> {
        let now = db_time(now);
        let starts_at = db_time(changes.starts_at);
        let ends_at = starts_at + changes.duration.as_duration();
        let capacity = i32::try_from(changes.capacity.seats()).unwrap_or(i32::MAX);
        // A session never changes mentor, so the first read may name whom to lock.
        let Some(mentor_id) = self.load(tx, id).await?.map(|row| row.mentor_id) else {
            return Err(RepoError::NotFound);
        };
        lock_mentor(&self.db, tx, mentor_id).await?;
        let Some(before) = self.load(tx, id).await? else {
            return Err(RepoError::NotFound);
        };
        if (before.starts_at, before.ends_at) != (starts_at, ends_at) {
            ensure_mentor_free(tx, mentor_id, starts_at, ends_at, Some(id)).await?;
        }
        // One statement: the capacity is checked against the seats taken on the row it
        // writes, so a concurrent booking cannot slip below a lowered capacity.
        let result = tx
            .execute_raw(stmt(
                self.db.db_backend(),
                "UPDATE mentoring_sessions SET title = $1, description = $2, \
                 specialization_id = $3, duration_minutes = $4, price_amount_minor = $5, \
                 price_currency = $6, capacity = $7, starts_at = $8, ends_at = $9, \
                 meeting_url = $10, updated_at = $11 \
                 WHERE id = $12 AND status = 'scheduled' AND seats_taken <= $7",
                vec![
                    changes.title.to_string().into(),
                    changes.description.to_string().into(),
                    changes.specialization_id.into(),
                    i32::from(changes.duration.as_minutes()).into(),
                    changes.price.amount_minor().into(),
                    changes.price.currency().as_str().into(),
                    capacity.into(),
                    starts_at.into(),
                    ends_at.into(),
                    changes.meeting_url.to_string().into(),
                    now.into(),
                    id.into(),
                ],
            ))
            .await
            .map_err(write_error)?;
        changed_or_explain::<sessions::Entity>(&result, tx, id, |row| {
            RepoError::Conflict(if row.status != "scheduled" {
                Conflict::StaleState
            } else {
                Conflict::CapacityBelowSeatsTaken
            })
        })
        .await?;
        self.reload(tx, id).await
    }

    async fn cancel_in(
        &self,
        tx: &DatabaseTransaction,
        id: Uuid,
        cancelled_by: Uuid,
        now: OffsetDateTime,
    ) -> Result<Vec<Booking>, RepoError> {
        let backend = self.db.db_backend();
        let changed = tx
            .execute_raw(stmt(
                backend,
                "UPDATE mentoring_sessions SET status = 'cancelled', seats_taken = 0, \
                 cancelled_at = $1, cancelled_by = $2, updated_at = $1 \
                 WHERE id = $3 AND status IN ('scheduled', 'active')",
                vec![now.into(), cancelled_by.into(), id.into()],
            ))
            .await
            .map_err(unavailable)?;
        changed_or_explain::<sessions::Entity>(&changed, tx, id, stale_state).await?;
        let ids =
            cancel_live_bookings(&self.db, tx, id, cancelled_by, "session_cancelled", now).await?;
        // A 1:1 from a request: the request cannot outlive its session.
        tx.execute_raw(stmt(
            backend,
            "UPDATE mentorship_requests SET status = 'cancelled', updated_at = $1 \
             WHERE session_id = $2 AND status = 'accepted'",
            vec![now.into(), id.into()],
        ))
        .await
        .map_err(unavailable)?;
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        bookings::Entity::find()
            .filter(bookings::Column::Id.is_in(ids))
            .order_by_asc(bookings::Column::Id)
            .all(tx)
            .await
            .map_err(unavailable)?
            .into_iter()
            .map(booking_from_row)
            .collect()
    }
}

/// The sort key and tie-break of one discovery order, with its direction.
fn sort_column(sort: SessionSort) -> (sessions::Column, bool) {
    match sort {
        SessionSort::Soonest => (sessions::Column::StartsAt, true),
        SessionSort::Price => (sessions::Column::PriceAmountMinor, true),
        SessionSort::Rating => (sessions::Column::RatingAvgMilli, false),
        SessionSort::Popularity => (sessions::Column::BookingCount, false),
    }
}

fn cursor_of(sort: SessionSort, row: &sessions::Model) -> SessionCursor {
    let key = match sort {
        SessionSort::Soonest => row.starts_at.unix_timestamp(),
        SessionSort::Price => row.price_amount_minor,
        SessionSort::Rating => row.rating_avg_milli,
        SessionSort::Popularity => row.booking_count,
    };
    SessionCursor { key, id: row.id }
}

/// "After the cursor" in the sort's order, written as `key >= k AND (key > k OR id > i)`
/// (mirrored for descending keys) so that the first half is an index range on both
/// backends. `None` for a start outside the calendar, which no session can follow.
fn after_cursor(sort: SessionSort, cursor: SessionCursor) -> Option<Condition> {
    let (column, ascending) = sort_column(sort);
    let key: sea_orm::Value = match sort {
        SessionSort::Soonest => OffsetDateTime::from_unix_timestamp(cursor.key).ok()?.into(),
        _ => cursor.key.into(),
    };
    let id = sessions::Column::Id.gt(cursor.id);
    Some(if ascending {
        Condition::all()
            .add(column.gte(key.clone()))
            .add(Condition::any().add(column.gt(key)).add(id))
    } else {
        Condition::all()
            .add(column.lte(key.clone()))
            .add(Condition::any().add(column.lt(key)).add(id))
    })
}

#[async_trait]
impl MentoringSessionRepository for MentoringSessionStore {
    async fn create(&self, session: MentoringSession) -> Result<MentoringSession, RepoError> {
        let row = session_row(&session);
        let tx = self.db.begin_write().await?;
        let outcome = async {
            lock_mentor(&self.db, &tx, row.mentor_id).await?;
            ensure_mentor_free(&tx, row.mentor_id, row.starts_at, row.ends_at, None).await?;
            sessions::Entity::insert(sessions::ActiveModel::from(row.clone()))
                .exec_without_returning(&tx)
                .await
                .map_err(write_error)
        }
        .await;
        finish(tx, outcome).await?;
        session_from_row(row)
    }

    async fn by_id(&self, id: Uuid) -> Result<Option<MentoringSession>, RepoError> {
        self.load(self.db.connection(), id)
            .await?
            .map(session_from_row)
            .transpose()
    }

    async fn add_views(&self, views: Vec<(Uuid, i64)>) -> Result<(), RepoError> {
        // One portable statement per chunk: `+ CASE id WHEN … THEN n … END`, for the ids
        // listed (a flush rarely has more than one chunk's worth of sessions).
        for chunk in views.chunks(VIEW_FLUSH_CHUNK) {
            let mut cases = String::new();
            let mut ids = Vec::with_capacity(chunk.len());
            let mut values = Vec::with_capacity(chunk.len() * 2);
            for (i, (id, n)) in chunk.iter().enumerate() {
                cases.push_str(&format!(" WHEN ${} THEN ${}", 2 * i + 1, 2 * i + 2));
                ids.push(format!("${}", 2 * i + 1));
                values.push((*id).into());
                values.push((*n).into());
            }
            let sql = format!(
                "UPDATE mentoring_sessions SET view_count = view_count + CASE id{cases} ELSE 0 END \
                 WHERE id IN ({})",
                ids.join(", ")
            );
            self.db
                .connection()
                .execute_raw(stmt(self.db.db_backend(), &sql, values))
                .await
                .map_err(unavailable)?;
        }
        Ok(())
    }

    async fn update(
        &self,
        id: Uuid,
        changes: SessionChanges,
        now: OffsetDateTime,
        tell: Option<BookingNotices>,
    ) -> Result<MentoringSession, RepoError> {
        let tx = self.db.begin_write().await?;
        let outcome = match self.update_in(&tx, id, changes, now).await {
            Ok(session) => match tell {
                Some(tell) => tell_live_bookings(&self.db, &tx, id, &tell)
                    .await
                    .map(|()| session),
                None => Ok(session),
            },
            Err(error) => Err(error),
        };
        finish(tx, outcome).await
    }

    async fn cancel(
        &self,
        id: Uuid,
        cancelled_by: Uuid,
        now: OffsetDateTime,
        tell: BookingNotices,
    ) -> Result<Vec<Booking>, RepoError> {
        let now = db_time(now);
        let tx = self.db.begin_write().await?;
        let outcome = match self.cancel_in(&tx, id, cancelled_by, now).await {
            Ok(cancelled) => {
                let notices = cancelled.iter().flat_map(&tell).collect();
                outbox::record(&self.db, &tx, Outbox::notices(notices))
                    .await
                    .map(|()| cancelled)
            }
            Err(error) => Err(error),
        };
        finish(tx, outcome).await
    }

    async fn discover(
        &self,
        filter: SessionFilter,
        sort: SessionSort,
        limit: u64,
        after: Option<SessionCursor>,
        now: OffsetDateTime,
    ) -> Result<SessionPage, RepoError> {
        use sessions::Column as C;
        let now = db_time(now);
        let mut select = sessions::Entity::find()
            .filter(C::Status.eq("scheduled"))
            .filter(C::StartsAt.gt(now));
        if let Some(mentor_id) = filter.mentor_id {
            select = select.filter(C::MentorId.eq(mentor_id));
        }
        if let Some(specialization_id) = filter.specialization_id {
            select = select.filter(C::SpecializationId.eq(specialization_id));
        }
        if let Some(min) = filter.min_price_minor {
            select = select.filter(C::PriceAmountMinor.gte(min));
        }
        if let Some(max) = filter.max_price_minor {
            select = select.filter(C::PriceAmountMinor.lte(max));
        }
        if let Some(from) = filter.starts_from {
            select = select.filter(C::StartsAt.gte(db_time(from)));
        }
        if let Some(to) = filter.starts_to {
            select = select.filter(C::StartsAt.lt(db_time(to)));
        }
        if filter.only_with_free_seats {
            select = select.filter(Expr::col(C::SeatsTaken).lt(Expr::col(C::Capacity)));
        }
        if let Some(cursor) = after {
            let Some(condition) = after_cursor(sort, cursor) else {
                return Ok(SessionPage {
                    items: Vec::new(),
                    next: None,
                });
            };
            select = select.filter(condition);
        }
        let (column, ascending) = sort_column(sort);
        select = if ascending {
            select.order_by_asc(column)
        } else {
            select.order_by_desc(column)
        };
        let mut rows = select
            .order_by_asc(C::Id)
            .limit(limit.saturating_add(1))
            .all(self.db.connection())
            .await
            .map_err(unavailable)?;
        let keep = usize::try_from(limit).unwrap_or(usize::MAX);
        let next = if rows.len() > keep {
            rows.truncate(keep);
            rows.last().map(|row| cursor_of(sort, row))
        } else {
            None
        };
        let items = rows
            .into_iter()
            .map(session_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(SessionPage { items, next })
    }

    async fn busy_for_mentor(
        &self,
        mentor_id: Uuid,
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> Result<Vec<MentoringSession>, RepoError> {
        mentor_sessions_between(self.db.connection(), mentor_id, from, to).await
    }

    async fn start_due(&self, now: OffsetDateTime) -> Result<Vec<MentoringSession>, RepoError> {
        use sessions::Column as C;
        let now = db_time(now);
        let ids = self
            .candidates(
                sessions::Entity::find()
                    .filter(C::Status.eq("scheduled"))
                    .filter(C::StartsAt.lte(now)),
            )
            .await?;
        let mut started = Vec::new();
        for id in ids {
            let tx = self.db.begin_write().await?;
            let outcome = async {
                let changed = tx
                    .execute_raw(stmt(
                        self.db.db_backend(),
                        "UPDATE mentoring_sessions SET status = 'active', updated_at = $1 \
                         WHERE id = $2 AND status = 'scheduled' AND starts_at <= $1",
                        vec![now.into(), id.into()],
                    ))
                    .await
                    .map_err(unavailable)?;
                if !changed.changed_any() {
                    return Ok(None);
                }
                self.reload(&tx, id).await.map(Some)
            }
            .await;
            if let Some(session) = finish(tx, outcome).await? {
                started.push(session);
            }
        }
        Ok(started)
    }

    async fn complete_due(&self, now: OffsetDateTime) -> Result<Vec<MentoringSession>, RepoError> {
        use sessions::Column as C;
        let now = db_time(now);
        let ids = self
            .candidates(
                sessions::Entity::find()
                    .filter(C::Status.is_in(["scheduled", "active"]))
                    .filter(C::EndsAt.lte(now)),
            )
            .await?;
        let mut completed = Vec::new();
        for id in ids {
            let tx = self.db.begin_write().await?;
            let outcome = self.complete_one(&tx, id, now).await;
            if let Some(session) = finish(tx, outcome).await? {
                completed.push(session);
            }
        }
        Ok(completed)
    }

    async fn upcoming_for_user(
        &self,
        user_id: Uuid,
        now: OffsetDateTime,
        limit: u64,
    ) -> Result<Vec<MentoringSession>, RepoError> {
        let sql = format!(
            "SELECT * FROM mentoring_sessions \
             WHERE status IN ('scheduled', 'active') AND ends_at > $1 \
             AND (mentor_id = $2 OR id IN \
                  (SELECT session_id FROM bookings WHERE learner_id = $2 AND status IN {LIVE})) \
             ORDER BY starts_at, id LIMIT $3"
        );
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        sessions::Entity::find()
            .from_raw_sql(stmt(
                self.db.db_backend(),
                &sql,
                vec![db_time(now).into(), user_id.into(), limit.into()],
            ))
            .all(self.db.connection())
            .await
            .map_err(unavailable)?
            .into_iter()
            .map(session_from_row)
            .collect()
    }
}

/// Sessions per view-flush statement: well under both databases' parameter limits.
const VIEW_FLUSH_CHUNK: usize = 500;

/// Writes the notices `tell` gives for every live booking of the session, in `tx`.
async fn tell_live_bookings(
    db: &Database,
    tx: &DatabaseTransaction,
    session_id: Uuid,
    tell: &BookingNotices,
) -> Result<(), RepoError> {
    let live = bookings::Entity::find()
        .filter(bookings::Column::SessionId.eq(session_id))
        .filter(bookings::Column::Status.is_in(["pending", "confirmed"]))
        .order_by_asc(bookings::Column::Id)
        .all(tx)
        .await
        .map_err(unavailable)?;
    let mut notices = Vec::new();
    for row in live {
        notices.extend(tell(&booking_from_row(row)?));
    }
    outbox::record(db, tx, Outbox::notices(notices)).await
}
