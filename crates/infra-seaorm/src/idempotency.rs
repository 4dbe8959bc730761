//! The idempotency-key protocol shared by every adapter whose effect may be retried by a
//! client (wallet adjustments, seat reservations): inside the write transaction that
//! performs the effect, the key is locked and looked up first, and recorded last, so that
//! either both the effect and the key are stored or neither is. The `idempotency_keys`
//! table (primary key `(scope, key)`) is shared; `resource_id` names what the first
//! request created (a ledger entry, a booking).

use lyceum_ports::RepoError;
use lyceum_ports::idempotency::{IDEMPOTENCY_KEY_TTL, IdempotencyClaim};
use sea_orm::ActiveValue::Set;
use sea_orm::ConnectionTrait;
use sea_orm::{ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, Statement};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::database::{Backend, Database, unavailable, unique_violation};

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
        pub resource_id: Uuid,
        pub created_at: TimeDateTimeWithTimeZone,
        pub expires_at: TimeDateTimeWithTimeZone,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// The resource an earlier request with this key created, if the key is live; runs inside
/// the write transaction and locks the key for the rest of it, so the answer cannot go
/// stale. The same key with another fingerprint is [`RepoError::IdempotencyKeyMismatch`].
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
    Ok(Some(seen.resource_id))
}

/// Records the key as having created `resource_id`, in the effect's transaction.
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
        resource_id: Set(resource_id),
        created_at: Set(now),
        expires_at: Set(now + IDEMPOTENCY_KEY_TTL),
    };
    idempotency_keys::Entity::insert(key)
        .exec_without_returning(tx)
        .await
        .map_err(|err| {
            // Another transaction recorded the key first: it is that request's effect.
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
    async fn purge_expired(&self, now: OffsetDateTime) -> Result<u64, RepoError> {
        let deleted = idempotency_keys::Entity::delete_many()
            .filter(idempotency_keys::Column::ExpiresAt.lte(crate::database::db_time(now)))
            .exec(self.db.connection())
            .await
            .map_err(unavailable)?;
        Ok(deleted.rows_affected)
    }
}
