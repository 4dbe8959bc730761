//! [`AuthSessionStore`]: signed-in devices and their rotating refresh tokens.
//!
//! Rotation is one write transaction whose guard is a conditional update
//! (`... WHERE rotated_at IS NULL`): of two concurrent rotations of the same token the
//! database lets exactly one change the row, and the other sees reuse.

use async_trait::async_trait;
use lyceum_domain::identity::User;
use lyceum_ports::RepoError;
use lyceum_ports::identity::{
    AuthSession, AuthSessionRepository, LoginAttempt, NewAuthSession, Rotation, RotationOutcome,
};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use time::OffsetDateTime;
use uuid::Uuid;

use super::entities::{auth_sessions, profiles, refresh_tokens, users};
use super::login_history::insert_attempt;
use super::user_rows::user_from_rows;
use crate::database::{Database, db_time, unavailable};
use crate::guarded_write::GuardedWrite;
use crate::live::{self, LiveEvent};

/// Auth sessions on SeaORM.
#[derive(Debug, Clone)]
pub struct AuthSessionStore {
    db: Database,
}

impl AuthSessionStore {
    /// An adapter over `db`.
    pub fn new(db: &Database) -> Self {
        Self { db: db.clone() }
    }
}

fn session_from_row(row: auth_sessions::Model) -> AuthSession {
    AuthSession {
        id: row.id,
        user_id: row.user_id,
        ip: row.ip,
        user_agent: row.user_agent,
        created_at: row.created_at,
        last_used_at: row.last_used_at,
        expires_at: row.expires_at,
        revoked_at: row.revoked_at,
    }
}

/// Revokes every live session of the user on `conn`, the transaction of the change that
/// signs the account out (a ban, a soft deletion, a password reset).
pub(crate) async fn revoke_sessions(
    conn: &impl ConnectionTrait,
    user_id: Uuid,
    now: OffsetDateTime,
) -> Result<(), RepoError> {
    auth_sessions::Entity::update_many()
        .col_expr(auth_sessions::Column::RevokedAt, Expr::value(db_time(now)))
        .filter(auth_sessions::Column::UserId.eq(user_id))
        .filter(auth_sessions::Column::RevokedAt.is_null())
        .exec(conn)
        .await
        .map_err(unavailable)?;
    Ok(())
}

#[async_trait]
impl AuthSessionRepository for AuthSessionStore {
    async fn start(
        &self,
        session: NewAuthSession,
        attempt: LoginAttempt,
    ) -> Result<AuthSession, RepoError> {
        let now = db_time(session.created_at);
        let expires_at = db_time(session.expires_at);
        let tx = self.db.begin_write().await?;
        let signed_in = users::Entity::update_many()
            .col_expr(users::Column::FailedLoginCount, Expr::value(0))
            .col_expr(
                users::Column::LockedUntil,
                Expr::value(Option::<OffsetDateTime>::None),
            )
            .col_expr(users::Column::LastLoginAt, Expr::value(now))
            .filter(users::Column::Id.eq(session.user_id))
            .exec(&tx)
            .await
            .map_err(unavailable)?;
        signed_in.changed_or(RepoError::NotFound)?;
        insert_attempt(&tx, attempt).await?;
        let row = auth_sessions::ActiveModel {
            id: Set(session.id),
            user_id: Set(session.user_id),
            ip: Set(session.ip.clone()),
            user_agent: Set(session.user_agent.clone()),
            created_at: Set(now),
            last_used_at: Set(now),
            expires_at: Set(expires_at),
            revoked_at: Set(None),
        };
        auth_sessions::Entity::insert(row)
            .exec_without_returning(&tx)
            .await
            .map_err(unavailable)?;
        let token = refresh_tokens::ActiveModel {
            id: Set(session.refresh_token_id),
            session_id: Set(session.id),
            digest: Set(session.refresh_token_digest),
            created_at: Set(now),
            expires_at: Set(expires_at),
            rotated_at: Set(None),
        };
        refresh_tokens::Entity::insert(token)
            .exec_without_returning(&tx)
            .await
            .map_err(unavailable)?;
        tx.commit().await.map_err(unavailable)?;
        Ok(AuthSession {
            id: session.id,
            user_id: session.user_id,
            ip: session.ip,
            user_agent: session.user_agent,
            created_at: now,
            last_used_at: now,
            expires_at,
            revoked_at: None,
        })
    }

    async fn rotate(&self, rotation: Rotation) -> Result<RotationOutcome, RepoError> {
        let now = db_time(rotation.now);
        let new_expires_at = db_time(rotation.new_expires_at);
        let tx = self.db.begin_write().await?;
        let found = refresh_tokens::Entity::find()
            .filter(refresh_tokens::Column::Digest.eq(rotation.presented_digest.as_str()))
            .one(&tx)
            .await
            .map_err(unavailable)?;
        let Some(token) = found else {
            return Ok(RotationOutcome::Rejected);
        };
        let session = auth_sessions::Entity::find_by_id(token.session_id)
            .one(&tx)
            .await
            .map_err(unavailable)?;
        let Some(session) = session.map(session_from_row) else {
            return Ok(RotationOutcome::Rejected);
        };
        if token.expires_at <= now || !session.is_active(now) {
            return Ok(RotationOutcome::Rejected);
        }
        if token.rotated_at.is_some() {
            return Ok(RotationOutcome::Reused(session));
        }
        // The guard: only one rotation can turn this token from live to rotated.
        let marked = refresh_tokens::Entity::update_many()
            .col_expr(refresh_tokens::Column::RotatedAt, Expr::value(now))
            .filter(refresh_tokens::Column::Id.eq(token.id))
            .filter(refresh_tokens::Column::RotatedAt.is_null())
            .exec(&tx)
            .await
            .map_err(unavailable)?;
        if !marked.changed_any() {
            return Ok(RotationOutcome::Reused(session));
        }
        let replacement = refresh_tokens::ActiveModel {
            id: Set(rotation.new_token_id),
            session_id: Set(session.id),
            digest: Set(rotation.new_token_digest),
            created_at: Set(now),
            expires_at: Set(new_expires_at),
            rotated_at: Set(None),
        };
        refresh_tokens::Entity::insert(replacement)
            .exec_without_returning(&tx)
            .await
            .map_err(unavailable)?;
        auth_sessions::Entity::update_many()
            .col_expr(auth_sessions::Column::LastUsedAt, Expr::value(now))
            .col_expr(
                auth_sessions::Column::ExpiresAt,
                Expr::value(new_expires_at),
            )
            .filter(auth_sessions::Column::Id.eq(session.id))
            .exec(&tx)
            .await
            .map_err(unavailable)?;
        tx.commit().await.map_err(unavailable)?;
        Ok(RotationOutcome::Rotated(AuthSession {
            last_used_at: now,
            expires_at: new_expires_at,
            ..session
        }))
    }

    async fn by_id(&self, id: Uuid) -> Result<Option<AuthSession>, RepoError> {
        let row = auth_sessions::Entity::find_by_id(id)
            .one(self.db.connection())
            .await
            .map_err(unavailable)?;
        Ok(row.map(session_from_row))
    }

    async fn with_account(&self, id: Uuid) -> Result<Option<(AuthSession, User)>, RepoError> {
        // One statement: the session, inner-joined to its user, left-joined to the profile.
        let row = auth_sessions::Entity::find_by_id(id)
            .find_also_related(users::Entity)
            .find_also(users::Entity, profiles::Entity)
            .one(self.db.connection())
            .await
            .map_err(unavailable)?;
        let Some((session, Some(user), profile)) = row else {
            return Ok(None);
        };
        Ok(Some((
            session_from_row(session),
            user_from_rows(user, profile)?,
        )))
    }

    async fn revoke(
        &self,
        user_id: Uuid,
        session_id: Uuid,
        now: OffsetDateTime,
    ) -> Result<(), RepoError> {
        auth_sessions::Entity::update_many()
            // Revoking twice keeps the first revocation time.
            .col_expr(
                auth_sessions::Column::RevokedAt,
                Expr::col(auth_sessions::Column::RevokedAt).if_null(db_time(now)),
            )
            .filter(auth_sessions::Column::Id.eq(session_id))
            .filter(auth_sessions::Column::UserId.eq(user_id))
            .exec(self.db.connection())
            .await
            .map_err(unavailable)?
            .changed_or(RepoError::NotFound)?;
        live::announce_committed(&self.db, LiveEvent::Account { user_id }).await;
        Ok(())
    }

    async fn revoke_all(&self, user_id: Uuid, now: OffsetDateTime) -> Result<(), RepoError> {
        revoke_sessions(self.db.connection(), user_id, now).await?;
        live::announce_committed(&self.db, LiveEvent::Account { user_id }).await;
        Ok(())
    }

    async fn active(
        &self,
        user_id: Uuid,
        now: OffsetDateTime,
    ) -> Result<Vec<AuthSession>, RepoError> {
        let rows = auth_sessions::Entity::find()
            .filter(auth_sessions::Column::UserId.eq(user_id))
            .filter(auth_sessions::Column::RevokedAt.is_null())
            .filter(auth_sessions::Column::ExpiresAt.gt(db_time(now)))
            .order_by_desc(auth_sessions::Column::LastUsedAt)
            .order_by_desc(auth_sessions::Column::Id)
            .all(self.db.connection())
            .await
            .map_err(unavailable)?;
        Ok(rows.into_iter().map(session_from_row).collect())
    }
}
