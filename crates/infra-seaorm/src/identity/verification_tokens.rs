//! [`VerificationTokenStore`]: single-use, expiring email-verification and
//! password-reset tokens, stored as digests.

use async_trait::async_trait;
use lyceum_ports::RepoError;
use lyceum_ports::identity::{NewVerificationToken, TokenPurpose, VerificationTokenRepository};
use sea_orm::ActiveValue::Set;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Statement};
use time::OffsetDateTime;
use uuid::Uuid;

use super::entities::verification_tokens;
use crate::database::{Database, db_time, unavailable};
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

#[async_trait]
impl VerificationTokenRepository for VerificationTokenStore {
    async fn issue(&self, token: NewVerificationToken, outbox: Outbox) -> Result<(), RepoError> {
        let tx = self.db.begin_write().await?;
        let outcome = store_token(&tx, token).await;
        outbox::finish_with(tx, outcome, outbox).await
    }

    async fn consume(
        &self,
        purpose: TokenPurpose,
        digest: &str,
        now: OffsetDateTime,
    ) -> Result<Option<Uuid>, RepoError> {
        let now = db_time(now);
        // One statement checks and spends the token, so two clicks cannot both succeed.
        let row = self
            .db
            .connection()
            .query_one_raw(Statement::from_sql_and_values(
                self.db.db_backend(),
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
}
