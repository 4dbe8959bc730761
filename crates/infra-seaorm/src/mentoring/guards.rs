//! The database guards of the seat rules, shared by every adapter method that takes or
//! frees a seat. Each runs inside the caller's write transaction.
//!
//! Lock order, to keep PostgreSQL free of deadlocks between concurrent writers: the
//! mentor's account row first (writes that give a mentor time, [`lock_mentor`]), then
//! session rows (in id order when several), then bookings, then requests. SQLite needs no
//! row locks: `BEGIN IMMEDIATE` already serializes writers.

use lyceum_domain::mentoring::{
    MentoringSession, SessionDuration, SessionError, check_mentor_free,
};
use lyceum_ports::{Conflict, RepoError};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait, QueryFilter,
    QueryOrder, Statement, Value,
};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::entities::mentoring_sessions;
use super::rows::session_from_row;
use crate::database::{Backend, Database, db_time, is_check_violation, unavailable};
use crate::guarded_write::changed_or_explain;

/// Statuses of bookings that hold a seat, as SQL.
pub(crate) const LIVE: &str = "('pending', 'confirmed')";

/// What a cancelled booking's payment becomes when the platform cancels it: paid money
/// is refunded, an awaited payment fails, anything else stays.
pub(crate) const CANCELLED_PAYMENT: &str = "CASE \
     WHEN payment_status = 'paid' AND amount_minor > 0 THEN 'refunded' \
     WHEN payment_status = 'pending' THEN 'failed' \
     ELSE payment_status END";

/// `$first, $first+1, …` for an `IN (…)` list of `count` values.
pub(crate) fn placeholders(first: usize, count: usize) -> String {
    (first..first + count)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A raw statement on `db`'s backend.
pub(crate) fn stmt(backend: DbBackend, sql: &str, values: Vec<Value>) -> Statement {
    Statement::from_sql_and_values(backend, sql, values)
}

/// Locks the session rows (PostgreSQL), in id order so that two transactions touching
/// the same sessions queue instead of deadlocking.
pub(crate) async fn lock_sessions(
    db: &Database,
    tx: &DatabaseTransaction,
    ids: &[Uuid],
) -> Result<(), RepoError> {
    if db.backend() != Backend::Postgres || ids.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "SELECT id FROM mentoring_sessions WHERE id IN ({}) ORDER BY id FOR UPDATE",
        placeholders(1, ids.len())
    );
    let values = ids.iter().map(|id| (*id).into()).collect();
    tx.query_all_raw(stmt(db.db_backend(), &sql, values))
        .await
        .map_err(unavailable)?;
    Ok(())
}

/// Takes the lock that queues every write giving `mentor_id` time (creating or moving one
/// of their sessions, accepting a request to them), so that the overlap check which
/// follows in the same transaction ([`ensure_mentor_free`]) sees every session committed
/// before it and none can be added until it commits. On PostgreSQL it is the mentor's
/// account row, `FOR NO KEY UPDATE`: writers for one mentor queue on it, while the
/// foreign-key checks of other writes (`KEY SHARE`) pass. SQLite's `BEGIN IMMEDIATE`
/// already serialized every writer. Taken before any session row, per the lock order.
pub(crate) async fn lock_mentor(
    db: &Database,
    tx: &DatabaseTransaction,
    mentor_id: Uuid,
) -> Result<(), RepoError> {
    if db.backend() != Backend::Postgres {
        return Ok(());
    }
    tx.query_all_raw(stmt(
        db.db_backend(),
        "SELECT id FROM users WHERE id = $1 FOR NO KEY UPDATE",
        vec![mentor_id.into()],
    ))
    .await
    .map_err(unavailable)?;
    Ok(())
}

/// The mentor's sessions that take time in `[from, to)` (scheduled or active), earliest
/// first. A session reaching into the span started at most
/// [`SessionDuration::MAX_MINUTES`] before it: the bound keeps the scan a short range of
/// `ix_mentoring_sessions_mentor_id_starts_at` however many past sessions the mentor has.
/// Shared by the overlap guard and the free slots, so both see the same busy time.
pub(crate) async fn mentor_sessions_between(
    conn: &impl ConnectionTrait,
    mentor_id: Uuid,
    from: OffsetDateTime,
    to: OffsetDateTime,
) -> Result<Vec<MentoringSession>, RepoError> {
    use mentoring_sessions::Column as C;
    let (from, to) = (db_time(from), db_time(to));
    let earliest = from - Duration::minutes(i64::from(SessionDuration::MAX_MINUTES));
    mentoring_sessions::Entity::find()
        .filter(C::MentorId.eq(mentor_id))
        .filter(C::StartsAt.gt(earliest))
        .filter(C::StartsAt.lt(to))
        .filter(C::EndsAt.gt(from))
        .filter(C::Status.is_in(["scheduled", "active"]))
        .order_by_asc(C::StartsAt)
        .order_by_asc(C::Id)
        .all(conn)
        .await
        .map_err(unavailable)?
        .into_iter()
        .map(session_from_row)
        .collect()
}

/// Refuses `[starts_at, ends_at)` for `mentor_id` when another of their sessions takes
/// that time (`Conflict::MentorBusy`, naming the earliest); the domain's rule decides on
/// the sessions near that span. `except` is the session being moved. Run after
/// [`lock_mentor`] in the same transaction.
pub(crate) async fn ensure_mentor_free(
    tx: &DatabaseTransaction,
    mentor_id: Uuid,
    starts_at: OffsetDateTime,
    ends_at: OffsetDateTime,
    except: Option<Uuid>,
) -> Result<(), RepoError> {
    let nearby = mentor_sessions_between(tx, mentor_id, starts_at, ends_at).await?;
    let (starts_at, ends_at) = (db_time(starts_at), db_time(ends_at));
    check_mentor_free(&nearby, starts_at, ends_at, except).map_err(|error| match error {
        SessionError::Overlaps { session_id } => {
            RepoError::Conflict(Conflict::MentorBusy { session_id })
        }
        other => RepoError::Unavailable(lyceum_ports::Cause::new(other)),
    })
}

/// Takes one seat of `session_id`: the counter moves only while the session is
/// scheduled, in the future and not full, decided by the database on the row it locks.
/// Refusals: `NotFound`, `SessionNotBookable`, `SessionFull`.
pub(crate) async fn take_seat(
    db: &Database,
    tx: &DatabaseTransaction,
    session_id: Uuid,
    now: OffsetDateTime,
) -> Result<(), RepoError> {
    let moved = tx
        .execute_raw(stmt(
            db.db_backend(),
            "UPDATE mentoring_sessions \
             SET seats_taken = seats_taken + 1, booking_count = booking_count + 1, updated_at = $1 \
             WHERE id = $2 AND status = 'scheduled' AND starts_at > $1 AND seats_taken < capacity",
            vec![now.into(), session_id.into()],
        ))
        .await
        .map_err(|err| {
            // Belt and braces: `ck_mentoring_sessions_seats` refusing means the same thing.
            if is_check_violation(&err) {
                RepoError::Conflict(Conflict::SessionFull)
            } else {
                unavailable(err)
            }
        })?;
    changed_or_explain::<mentoring_sessions::Entity>(&moved, tx, session_id, |s| {
        RepoError::Conflict(if s.status != "scheduled" || s.starts_at <= now {
            Conflict::SessionNotBookable
        } else {
            Conflict::SessionFull
        })
    })
    .await
}

/// Frees one seat of `session_id` (its booking stopped holding one in this transaction).
pub(crate) async fn release_seat(
    db: &Database,
    tx: &DatabaseTransaction,
    session_id: Uuid,
    now: OffsetDateTime,
) -> Result<(), RepoError> {
    tx.execute_raw(stmt(
        db.db_backend(),
        "UPDATE mentoring_sessions SET seats_taken = seats_taken - 1, updated_at = $1 \
         WHERE id = $2 AND seats_taken > 0",
        vec![now.into(), session_id.into()],
    ))
    .await
    .map_err(unavailable)?;
    Ok(())
}

/// Cancels every live booking of a session being cancelled (the caller sets its seats to
/// zero); returns their ids.
pub(crate) async fn cancel_live_bookings(
    db: &Database,
    tx: &DatabaseTransaction,
    session_id: Uuid,
    cancelled_by: Uuid,
    reason: &str,
    now: OffsetDateTime,
) -> Result<Vec<Uuid>, RepoError> {
    let rows = tx
        .query_all_raw(stmt(
            db.db_backend(),
            &format!("SELECT id FROM bookings WHERE session_id = $1 AND status IN {LIVE}"),
            vec![session_id.into()],
        ))
        .await
        .map_err(unavailable)?;
    let ids = rows
        .iter()
        .map(|row| row.try_get::<Uuid>("", "id"))
        .collect::<Result<Vec<_>, _>>()
        .map_err(unavailable)?;
    if ids.is_empty() {
        return Ok(ids);
    }
    tx.execute_raw(stmt(
        db.db_backend(),
        &format!(
            "UPDATE bookings SET status = 'cancelled', payment_status = {CANCELLED_PAYMENT}, \
             cancelled_by = $1, cancellation_reason = $2, cancelled_at = $3, updated_at = $3 \
             WHERE session_id = $4 AND status IN {LIVE}"
        ),
        vec![
            cancelled_by.into(),
            reason.into(),
            now.into(),
            session_id.into(),
        ],
    ))
    .await
    .map_err(unavailable)?;
    Ok(ids)
}
