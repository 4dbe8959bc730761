//! [`VerificationTokenStore`]: single-use, expiring email-verification and
//! password-reset tokens, stored as digests.

use async_trait::async_trait;
use lyceum_ports::RepoError;
use lyceum_ports::identity::{NewVerificationToken, TokenPurpose, VerificationTokenRepository};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Statement};
use time::OffsetDateTime;
use uuid::Uuid;

use super::auth_sessions::revoke_sessions;
use super::entities::{users, verification_tokens};
use crate::database::{Database, db_time, finish, unavailable};
use crate::live::{self, LiveEvent};
use crate::outbox;
use lyceum_ports::outbox::Outbox;

/// Verification tokens on SeaORM.
#[derive(Debug, Clone)]
pub struct VerificationTokenStore {
    db: Database,
}

impl VerificationTokenStore {
    /// An adapter over `db`.
    pub fn new(db: &Database) -> Self {
        Self { db: db.clone() }
    }
}

/// Stores a token on `conn` (the issuing command's transaction), after invalidating the
/// user's earlier unused tokens of the same purpose: only the newest code works, since a
/// mailbox holding an older one proves nothing new.
pub(crate) async fn store_token(
    conn: &impl ConnectionTrait,
    token: NewVerificationToken,
) -> Result<(), RepoError> {
    verification_tokens::Entity::delete_many()
        .filter(verification_tokens::Column::UserId.eq(token.user_id))
        .filter(verification_tokens::Column::Purpose.eq(token.purpose.as_str()))
        .filter(verification_tokens::Column::ConsumedAt.is_null())
        .exec(conn)
        .await
        .map_err(unavailable)?;
    let row = verification_tokens::ActiveModel {
        id: Set(token.id),
        user_id: Set(token.user_id),
        purpose: Set(token.purpose.as_str().to_owned()),
        digest: Set(token.digest),
        created_at: Set(db_time(token.created_at)),
        expires_at: Set(db_time(token.expires_at)),
        consumed_at: Set(None),
    };
    verification_tokens::Entity::insert(row)
        .exec_without_returning(conn)
        .await
        .map_err(unavailable)?;
    Ok(())
}

/// Spends a token on `conn`: one statement checks and marks it used, so two clicks cannot
/// both succeed. Returns its user.
async fn spend_token(
    conn: &impl ConnectionTrait,
    purpose: TokenPurpose,
    digest: &str,
    now: OffsetDateTime,
) -> Result<Option<Uuid>, RepoError> {
    let now = db_time(now);
    let row = conn
        .query_one_raw(Statement::from_sql_and_values(
            conn.get_database_backend(),
            "UPDATE verification_tokens SET consumed_at = $1 \
             WHERE digest = $2 AND purpose = $3 AND consumed_at IS NULL AND expires_at > $1 \
             RETURNING user_id",
            [now.into(), digest.into(), purpose.as_str().into()],
        ))
        .await
        .map_err(unavailable)?;
    row.map(|row| row.try_get::<Uuid>("", "user_id"))
        .transpose()
        .map_err(unavailable)
}

#[async_trait]
impl VerificationTokenRepository for VerificationTokenStore {
    async fn issue(&self, token: NewVerificationToken, outbox: Outbox) -> Result<(), RepoError> {
        let tx = self.db.begin_write().await?;
        let outcome = store_token(&tx, token).await;
        outbox::finish_with(&self.db, tx, outcome, outbox).await
    }

    async fn verify_email(
        &self,
        digest: &str,
        now: OffsetDateTime,
    ) -> Result<Option<Uuid>, RepoError> {
        let tx = self.db.begin_write().await?;
        let outcome = async {
            let Some(user_id) =
                spend_token(&tx, TokenPurpose::EmailVerification, digest, now).await?
            else {
                return Ok(None);
            };
            users::Entity::update_many()
                .col_expr(users::Column::EmailVerified, Expr::value(true))
                .col_expr(users::Column::UpdatedAt, Expr::value(db_time(now)))
                .filter(users::Column::Id.eq(user_id))
                .exec(&tx)
                .await
                .map_err(unavailable)?;
            Ok(Some(user_id))
        }
        .await;
        finish(tx, outcome).await
    }

    async fn reset_password(
        &self,
        digest: &str,
        password_hash: String,
        now: OffsetDateTime,
    ) -> Result<Option<Uuid>, RepoError> {
        let tx = self.db.begin_write().await?;
        let outcome = async {
            let Some(user_id) = spend_token(&tx, TokenPurpose::PasswordReset, digest, now).await?
            else {
                return Ok(None);
            };
            users::Entity::update_many()
                .col_expr(users::Column::PasswordHash, Expr::value(password_hash))
                .col_expr(users::Column::UpdatedAt, Expr::value(db_time(now)))
                .filter(users::Column::Id.eq(user_id))
                .exec(&tx)
                .await
                .map_err(unavailable)?;
            revoke_sessions(&tx, user_id, now).await?;
            Ok(Some(user_id))
        }
        .await;
        let reset = finish(tx, outcome).await?;
        if let Some(user_id) = reset {
            // After the commit: the account's live streams re-check their sign-in.
            live::announce_committed(&self.db, LiveEvent::Account { user_id }).await;
        }
        Ok(reset)
    }

    async fn consume(
        &self,
        purpose: TokenPurpose,
        digest: &str,
        now: OffsetDateTime,
    ) -> Result<Option<Uuid>, RepoError> {
        spend_token(self.db.connection(), purpose, digest, now).await
    }
}
