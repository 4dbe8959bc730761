//! [`LoginAttemptStore`]: every sign-in attempt (Edupeak `login_history`).

use async_trait::async_trait;
use lyceum_ports::RepoError;
use lyceum_ports::identity::{LoginAttempt, LoginAttemptRepository};
use sea_orm::ActiveValue::Set;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use super::entities::login_history;
use crate::database::{Database, db_time, unavailable};

/// The login history on SeaORM.
#[derive(Debug, Clone)]
pub struct LoginAttemptStore {
    db: Database,
}

impl LoginAttemptStore {
    /// An adapter over `db`.
    pub fn new(db: &Database) -> Self {
        Self { db: db.clone() }
    }
}

/// Records a sign-in attempt on `conn`, the transaction of the sign-in's other writes.
pub(crate) async fn insert_attempt(
    conn: &impl ConnectionTrait,
    attempt: LoginAttempt,
) -> Result<(), RepoError> {
    let row = login_history::ActiveModel {
        id: Set(attempt.id),
        user_id: Set(attempt.user_id),
        login: Set(attempt.login),
        success: Set(attempt.success),
        failure_reason: Set(attempt.failure_reason),
        ip: Set(attempt.ip),
        user_agent: Set(attempt.user_agent),
        created_at: Set(db_time(attempt.created_at)),
    };
    login_history::Entity::insert(row)
        .exec_without_returning(conn)
        .await
        .map_err(unavailable)?;
    Ok(())
}

#[async_trait]
impl LoginAttemptRepository for LoginAttemptStore {
    async fn record(&self, attempt: LoginAttempt) -> Result<(), RepoError> {
        insert_attempt(self.db.connection(), attempt).await
    }

    async fn for_user(&self, user_id: Uuid, limit: u64) -> Result<Vec<LoginAttempt>, RepoError> {
        let rows = login_history::Entity::find()
            .filter(login_history::Column::UserId.eq(user_id))
            // Same-second attempts fall back to id order (UUIDv7: creation order).
            .order_by_desc(login_history::Column::CreatedAt)
            .order_by_desc(login_history::Column::Id)
            .limit(limit)
            .all(self.db.connection())
            .await
            .map_err(unavailable)?;
        Ok(rows
            .into_iter()
            .map(|row| LoginAttempt {
                id: row.id,
                user_id: row.user_id,
                login: row.login,
                success: row.success,
                failure_reason: row.failure_reason,
                ip: row.ip,
                user_agent: row.user_agent,
                created_at: row.created_at,
            })
            .collect())
    }
}
