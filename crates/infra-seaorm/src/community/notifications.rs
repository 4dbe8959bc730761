//! [`NotificationStore`]: notifications per user, deduplicated by key.

use async_trait::async_trait;
use lyceum_domain::community::{Notification, NotificationKind, Subject, SubjectKind};
use lyceum_ports::community::NotificationRepository;
use lyceum_ports::{Page, PageRequest, RepoError};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Statement,
};
use time::OffsetDateTime;
use uuid::Uuid;

use super::entities::notifications;
use crate::database::{Database, corrupt, db_time, finish, is_foreign_key_violation, unavailable};
use crate::live::{self, LiveEvent};
use crate::pagination::{IdOrder, page_from_rows, page_rows};

/// Notifications on SeaORM.
#[derive(Debug, Clone)]
pub struct NotificationStore {
    db: Database,
}

impl NotificationStore {
    /// An adapter over `db`.
    pub fn new(db: &Database) -> Self {
        Self { db: db.clone() }
    }
}

pub(crate) fn from_row(row: notifications::Model) -> Result<Notification, RepoError> {
    Ok(Notification {
        id: row.id,
        user_id: row.user_id,
        kind: NotificationKind::parse(&row.kind)
            .ok_or_else(|| corrupt("notifications", format!("kind {}", row.kind)))?,
        subject: match (row.subject_kind, row.subject_id) {
            (Some(kind), Some(id)) => Some(Subject::new(
                SubjectKind::parse(&kind)
                    .ok_or_else(|| corrupt("notifications", format!("subject kind {kind}")))?,
                id,
            )),
            _ => None,
        },
        data: row.data,
        read_at: row.read_at,
        created_at: row.created_at,
    })
}

fn from_rows(rows: Vec<notifications::Model>) -> Result<Vec<Notification>, RepoError> {
    rows.into_iter().map(from_row).collect()
}

/// Stores a notification on `conn` (a pool connection, or a command's transaction when it
/// is part of the command's outbox) and announces it to live streams in the same
/// transaction; returns whether it was stored. A taken dedupe key is not an error:
/// another process already told the user, and nothing is announced.
pub(crate) async fn insert_notification(
    db: &Database,
    conn: &impl ConnectionTrait,
    notification: Notification,
    dedupe_key: Option<String>,
) -> Result<bool, sea_orm::DbErr> {
    let event = LiveEvent::Notification {
        user_id: notification.user_id,
        id: notification.id,
    };
    let result = conn
        .execute_raw(Statement::from_sql_and_values(
            conn.get_database_backend(),
            "INSERT INTO notifications \
             (id, user_id, kind, subject_kind, subject_id, data, read_at, dedupe_key, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
             ON CONFLICT (dedupe_key) DO NOTHING",
            [
                notification.id.into(),
                notification.user_id.into(),
                notification.kind.as_str().into(),
                notification.subject.map(|s| s.kind.as_str()).into(),
                notification.subject.map(|s| s.id).into(),
                notification.data.into(),
                notification.read_at.map(db_time).into(),
                dedupe_key.into(),
                db_time(notification.created_at).into(),
            ],
        ))
        .await?;
    if result.rows_affected() != 1 {
        return Ok(false);
    }
    live::announce(db, conn, &event).await?;
    Ok(true)
}

#[async_trait]
impl NotificationRepository for NotificationStore {
    async fn create(
        &self,
        notification: Notification,
        dedupe_key: Option<String>,
    ) -> Result<bool, RepoError> {
        let tx = self.db.begin_write().await?;
        let stored = insert_notification(&self.db, &tx, notification, dedupe_key)
            .await
            .map_err(|err| {
                if is_foreign_key_violation(&err) {
                    RepoError::NotFound
                } else {
                    unavailable(err)
                }
            });
        finish(tx, stored).await
    }

    async fn of_user(
        &self,
        user_id: Uuid,
        unread_only: bool,
        page: PageRequest,
    ) -> Result<Page<Notification>, RepoError> {
        use notifications::Column as C;
        let mut select = notifications::Entity::find().filter(C::UserId.eq(user_id));
        if unread_only {
            select = select.filter(C::ReadAt.is_null());
        }
        let rows = page_rows(
            self.db.connection(),
            select,
            C::Id,
            IdOrder::NewestFirst,
            page,
        )
        .await?;
        page_from_rows(rows, page, from_row, |n| n.id)
    }

    async fn mark_read(
        &self,
        user_id: Uuid,
        id: Uuid,
        now: OffsetDateTime,
    ) -> Result<(), RepoError> {
        // COALESCE keeps the first read time and still counts the row as matched, so an
        // already-read notification of mine is not mistaken for someone else's.
        let result = self
            .db
            .connection()
            .execute_raw(Statement::from_sql_and_values(
                self.db.db_backend(),
                "UPDATE notifications SET read_at = COALESCE(read_at, $1) \
                 WHERE id = $2 AND user_id = $3",
                [db_time(now).into(), id.into(), user_id.into()],
            ))
            .await
            .map_err(unavailable)?;
        if result.rows_affected() == 0 {
            return Err(RepoError::NotFound);
        }
        Ok(())
    }

    async fn mark_all_read(&self, user_id: Uuid, now: OffsetDateTime) -> Result<u64, RepoError> {
        let result = self
            .db
            .connection()
            .execute_raw(Statement::from_sql_and_values(
                self.db.db_backend(),
                "UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL",
                [db_time(now).into(), user_id.into()],
            ))
            .await
            .map_err(unavailable)?;
        Ok(result.rows_affected())
    }

    async fn unread_count(&self, user_id: Uuid) -> Result<i64, RepoError> {
        let count = notifications::Entity::find()
            .filter(notifications::Column::UserId.eq(user_id))
            .filter(notifications::Column::ReadAt.is_null())
            .count(self.db.connection())
            .await
            .map_err(unavailable)?;
        Ok(i64::try_from(count).unwrap_or(i64::MAX))
    }

    async fn since(
        &self,
        user_id: Uuid,
        after: Option<Uuid>,
        limit: u64,
    ) -> Result<Vec<Notification>, RepoError> {
        let mut select =
            notifications::Entity::find().filter(notifications::Column::UserId.eq(user_id));
        if let Some(after) = after {
            select = select.filter(notifications::Column::Id.gt(after));
        }
        let rows = select
            .order_by_asc(notifications::Column::Id)
            .limit(limit)
            .all(self.db.connection())
            .await
            .map_err(unavailable)?;
        from_rows(rows)
    }
}
