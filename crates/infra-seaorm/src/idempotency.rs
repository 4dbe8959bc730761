//! The idempotency-key protocol shared by every adapter whose effect may be retried by a
//! client (wallet adjustments, seat reservations): inside the write transaction that
//! performs the effect, the key is locked and looked up first, and recorded last, so that
//! either both the effect and the key are stored or neither is. The `idempotency_keys`
//! table (primary key `(scope, key)`) is shared; `resource_id` names what the first
//! request created (a ledger entry, a booking), and `response` holds the first final
//! answer as the HTTP adapter rendered it. A refused request has no resource: its row is
//! written on its own, with its answer (`CHECK (resource_id IS NOT NULL OR response IS
//! NOT NULL)`).

use lyceum_ports::RepoError;
use lyceum_ports::idempotency::{
    IDEMPOTENCY_KEY_TTL, IdempotencyClaim, Remembered, StoredResponse,
};
use sea_orm::ActiveValue::Set;
use sea_orm::ConnectionTrait;
use sea_orm::{ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, Statement};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::database::{Backend, Database, db_time, unavailable, unique_violation};

pub(crate) mod idempotency_keys {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "idempotency_keys")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub scope: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub key: String,
        pub fingerprint: String,
        pub resource_id: Option<Uuid>,
        pub response: Option<String>,
        pub created_at: TimeDateTimeWithTimeZone,
        pub expires_at: TimeDateTimeWithTimeZone,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// The resource an earlier request with this key created, if the key is live; runs inside
/// the write transaction and locks the key for the rest of it, so the answer cannot go
/// stale. The same key with another fingerprint is [`RepoError::IdempotencyKeyMismatch`];
/// a key whose first request was refused meanwhile (after the caller recalled nothing) is
/// [`RepoError::IdempotencyKeyInFlight`], so that a retry gets that refusal.
pub(crate) async fn claimed_resource(
    db: &Database,
    tx: &DatabaseTransaction,
    claim: &IdempotencyClaim,
    now: OffsetDateTime,
) -> Result<Option<Uuid>, RepoError> {
    if db.backend() == Backend::Postgres {
        // SQLite's BEGIN IMMEDIATE already serializes writers; on PostgreSQL two
        // requests with one key would both miss the row, so the key is locked for the
        // rest of the transaction, and a second holder is told to retry.
        let locked = tx
            .query_one_raw(Statement::from_sql_and_values(
                db.db_backend(),
                "SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0)) AS locked",
                [format!("{}:{}", claim.scope, claim.key).into()],
            ))
            .await
            .map_err(unavailable)?
            .map(|row| row.try_get::<bool>("", "locked"))
            .transpose()
            .map_err(unavailable)?
            .unwrap_or(false);
        if !locked {
            return Err(RepoError::IdempotencyKeyInFlight);
        }
    }
    // An expired key starts a new request.
    idempotency_keys::Entity::delete_many()
        .filter(idempotency_keys::Column::Scope.eq(claim.scope.as_str()))
        .filter(idempotency_keys::Column::Key.eq(claim.key.as_str()))
        .filter(idempotency_keys::Column::ExpiresAt.lte(now))
        .exec(tx)
        .await
        .map_err(unavailable)?;
    let seen = idempotency_keys::Entity::find_by_id((claim.scope.clone(), claim.key.clone()))
        .one(tx)
        .await
        .map_err(unavailable)?;
    let Some(seen) = seen else { return Ok(None) };
    if seen.fingerprint != claim.fingerprint {
        return Err(RepoError::IdempotencyKeyMismatch);
    }
    seen.resource_id
        .map(Some)
        .ok_or(RepoError::IdempotencyKeyInFlight)
}

/// Records the key as having created `resource_id`, in the effect's transaction; its
/// answer follows with [`IdempotencyKeyStore`]'s `store_answer`.
pub(crate) async fn record_claim(
    tx: &DatabaseTransaction,
    claim: IdempotencyClaim,
    resource_id: Uuid,
    now: OffsetDateTime,
) -> Result<(), RepoError> {
    let key = idempotency_keys::ActiveModel {
        scope: Set(claim.scope),
        key: Set(claim.key),
        fingerprint: Set(claim.fingerprint),
        resource_id: Set(Some(resource_id)),
        response: Set(None),
        created_at: Set(now),
        expires_at: Set(now + IDEMPOTENCY_KEY_TTL),
    };
    idempotency_keys::Entity::insert(key)
        .exec_without_returning(tx)
        .await
        .map_err(|err| {
            // Another transaction recorded the key first: that request decides its answer.
            if unique_violation(&err).is_some() {
                RepoError::IdempotencyKeyInFlight
            } else {
                unavailable(err)
            }
        })?;
    Ok(())
}

/// The idempotency-key housekeeping port on SeaORM.
#[derive(Debug, Clone)]
pub struct IdempotencyKeyStore {
    db: Database,
}

impl IdempotencyKeyStore {
    /// An adapter over `db`.
    pub fn new(db: &Database) -> Self {
        Self { db: db.clone() }
    }
}

#[async_trait::async_trait]
impl lyceum_ports::idempotency::IdempotencyKeyRepository for IdempotencyKeyStore {
    async fn recall(
        &self,
        claim: &IdempotencyClaim,
        now: OffsetDateTime,
    ) -> Result<Option<Remembered>, RepoError> {
        let seen = idempotency_keys::Entity::find_by_id((claim.scope.clone(), claim.key.clone()))
            .one(self.db.connection())
            .await
            .map_err(unavailable)?;
        let Some(seen) = seen.filter(|seen| seen.expires_at > db_time(now)) else {
            return Ok(None);
        };
        if seen.fingerprint != claim.fingerprint {
            return Err(RepoError::IdempotencyKeyMismatch);
        }
        Ok(Some(match seen.response {
            Some(answer) => Remembered::Answer(StoredResponse(answer)),
            None => Remembered::Unanswered,
        }))
    }

    async fn store_answer(
        &self,
        claim: &IdempotencyClaim,
        answer: StoredResponse,
    ) -> Result<StoredResponse, RepoError> {
        // One statement: the first answer stored stays, and the one on record comes back.
        let row = self
            .db
            .connection()
            .query_one_raw(Statement::from_sql_and_values(
                self.db.db_backend(),
                r#"UPDATE idempotency_keys SET response = COALESCE(response, $1)
                   WHERE scope = $2 AND "key" = $3 AND fingerprint = $4 RETURNING response"#,
                [
                    answer.0.into(),
                    claim.scope.as_str().into(),
                    claim.key.as_str().into(),
                    claim.fingerprint.as_str().into(),
                ],
            ))
            .await
            .map_err(unavailable)?;
        row.map(|row| row.try_get::<String>("", "response"))
            .transpose()
            .map_err(unavailable)?
            .map(StoredResponse)
            .ok_or(RepoError::NotFound)
    }

    async fn record_refusal(
        &self,
        claim: IdempotencyClaim,
        answer: StoredResponse,
        now: OffsetDateTime,
    ) -> Result<(), RepoError> {
        // One statement: the key's primary key decides against an effect recorded by a
        // concurrent request (PostgreSQL waits for that one's transaction to end), and an
        // expired key is taken over.
        let now = db_time(now);
        let inserted = self
            .db
            .connection()
            .execute_raw(Statement::from_sql_and_values(
                self.db.db_backend(),
                r#"INSERT INTO idempotency_keys
                       (scope, "key", fingerprint, resource_id, response, created_at, expires_at)
                   VALUES ($1, $2, $3, NULL, $4, $5, $6)
                   ON CONFLICT (scope, "key") DO UPDATE SET
                       fingerprint = excluded.fingerprint, resource_id = NULL,
                       response = excluded.response, created_at = excluded.created_at,
                       expires_at = excluded.expires_at
                   WHERE idempotency_keys.expires_at <= excluded.created_at"#,
                [
                    claim.scope.into(),
                    claim.key.into(),
                    claim.fingerprint.into(),
                    answer.0.into(),
                    now.into(),
                    (now + IDEMPOTENCY_KEY_TTL).into(),
                ],
            ))
            .await
            .map_err(unavailable)?;
        if inserted.rows_affected() == 0 {
            return Err(RepoError::IdempotencyKeyInFlight);
        }
        Ok(())
    }

    async fn purge_expired(&self, now: OffsetDateTime) -> Result<u64, RepoError> {
        let deleted = idempotency_keys::Entity::delete_many()
            .filter(idempotency_keys::Column::ExpiresAt.lte(crate::database::db_time(now)))
            .exec(self.db.connection())
            .await
            .map_err(unavailable)?;
        Ok(deleted.rows_affected)
    }
}
