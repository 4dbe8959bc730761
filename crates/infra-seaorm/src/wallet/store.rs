//! [`WalletStore`]: balances change only together with a ledger entry, in one write
//! transaction guarded by the database.

use async_trait::async_trait;
use lyceum_domain::wallet::{LedgerEntry, LedgerEntryKind, Points, Wallet};
use lyceum_ports::idempotency::{IDEMPOTENCY_KEY_TTL, IdempotencyClaim};
use lyceum_ports::wallet::{AppendOutcome, NewLedgerEntry, WalletRepository};
use lyceum_ports::{Page, PageRequest, RepoError};
use sea_orm::ActiveValue::Set;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Statement,
};
use time::OffsetDateTime;
use uuid::Uuid;

use super::entities::{idempotency_keys, ledger_entries, wallets};
use crate::database::{
    Backend, Database, corrupt, db_time, is_check_violation, unavailable, unique_violation,
};

/// Wallets and ledgers on SeaORM.
#[derive(Debug, Clone)]
pub struct WalletStore {
    db: Database,
}

impl WalletStore {
    /// An adapter over `db`.
    pub fn new(db: &Database) -> Self {
        Self { db: db.clone() }
    }

    /// What an earlier request with this key decided, if the key is live. Runs inside the
    /// write transaction, after the key is locked, so the answer cannot go stale.
    async fn replay(
        &self,
        tx: &DatabaseTransaction,
        claim: &IdempotencyClaim,
        now: OffsetDateTime,
    ) -> Result<Option<LedgerEntry>, RepoError> {
        if self.db.backend() == Backend::Postgres {
            // SQLite's BEGIN IMMEDIATE already serializes writers; on PostgreSQL two
            // requests with one key would both miss the row, so the key is locked for the
            // rest of the transaction, and a second holder is told to retry.
            let locked = tx
                .query_one_raw(Statement::from_sql_and_values(
                    self.db.db_backend(),
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
        // The entry is gone only if its wallet was erased since.
        let entry = ledger_entries::Entity::find_by_id(seen.resource_id)
            .one(tx)
            .await
            .map_err(unavailable)?
            .ok_or(RepoError::NotFound)?;
        entry_from_row(entry).map(Some)
    }

    /// Why the guarded update changed nothing: no wallet, or not enough points.
    async fn refusal(conn: &impl ConnectionTrait, user_id: Uuid) -> RepoError {
        match wallets::Entity::find_by_id(user_id).one(conn).await {
            Ok(Some(wallet)) => RepoError::InsufficientPoints {
                balance: wallet.balance,
            },
            Ok(None) => RepoError::NotFound,
            Err(err) => unavailable(err),
        }
    }
}

fn entry_from_row(row: ledger_entries::Model) -> Result<LedgerEntry, RepoError> {
    Ok(LedgerEntry {
        id: row.id,
        user_id: row.user_id,
        delta: row.delta,
        kind: LedgerEntryKind::parse(&row.kind)
            .ok_or_else(|| corrupt("ledger_entries", format!("kind {}", row.kind)))?,
        reason: row.reason,
        reference: row.reference,
        balance_after: Points::new(row.balance_after).map_err(|e| corrupt("ledger_entries", e))?,
        actor_id: row.actor_id,
        idempotency_key: row.idempotency_key,
        created_at: row.created_at,
    })
}

#[async_trait]
impl WalletRepository for WalletStore {
    async fn wallet(&self, user_id: Uuid) -> Result<Option<Wallet>, RepoError> {
        let row = wallets::Entity::find_by_id(user_id)
            .one(self.db.connection())
            .await
            .map_err(unavailable)?;
        row.map(|row| {
            Ok(Wallet {
                user_id: row.user_id,
                balance: Points::new(row.balance).map_err(|e| corrupt("wallets", e))?,
                created_at: row.created_at,
                updated_at: row.updated_at,
            })
        })
        .transpose()
    }

    async fn ledger(
        &self,
        user_id: Uuid,
        page: PageRequest,
    ) -> Result<Page<LedgerEntry>, RepoError> {
        let mut select =
            ledger_entries::Entity::find().filter(ledger_entries::Column::UserId.eq(user_id));
        if let Some(after) = page.after {
            // Newest first, so the next page holds older (smaller UUIDv7) ids.
            select = select.filter(ledger_entries::Column::Id.lt(after));
        }
        let rows = select
            .order_by_desc(ledger_entries::Column::Id)
            .limit(page.limit.saturating_add(1))
            .all(self.db.connection())
            .await
            .map_err(unavailable)?;
        let entries = rows
            .into_iter()
            .map(entry_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Page::from_overfetch(entries, page.limit, |entry| entry.id))
    }

    async fn append_ledger_entry(
        &self,
        entry: NewLedgerEntry,
        claim: Option<IdempotencyClaim>,
        now: OffsetDateTime,
    ) -> Result<AppendOutcome, RepoError> {
        let now = db_time(now);
        let tx = self.db.begin_write().await?;
        if let Some(claim) = &claim
            && let Some(first) = self.replay(&tx, claim, now).await?
        {
            // Nothing was written; ending the transaction releases the lock at once.
            tx.rollback().await.map_err(unavailable)?;
            return Ok(AppendOutcome::Replayed(first));
        }

        // The guard: the balance moves only if it stays non-negative, decided by the
        // database on the row it locks, so concurrent appends cannot overdraw.
        let moved: Result<Option<i64>, DbErr> = async {
            let row = tx
                .query_one_raw(Statement::from_sql_and_values(
                    self.db.db_backend(),
                    "UPDATE wallets SET balance = balance + $1, updated_at = $2 \
                     WHERE user_id = $3 AND balance + $1 >= 0 RETURNING balance",
                    [entry.delta.into(), now.into(), entry.user_id.into()],
                ))
                .await?;
            row.map(|row| row.try_get::<i64>("", "balance")).transpose()
        }
        .await;
        let balance = match moved {
            Ok(Some(balance)) => balance,
            Ok(None) => {
                let refusal = Self::refusal(&tx, entry.user_id).await;
                tx.rollback().await.map_err(unavailable)?;
                return Err(refusal);
            }
            // Belt and braces: the CHECK constraint refusing means the same thing. The
            // failed transaction is finished first (PostgreSQL aborts it).
            Err(err) if is_check_violation(&err) => {
                tx.rollback().await.map_err(unavailable)?;
                return Err(
                    match Self::refusal(self.db.connection(), entry.user_id).await {
                        RepoError::NotFound => RepoError::InsufficientPoints { balance: 0 },
                        other => other,
                    },
                );
            }
            Err(err) => return Err(unavailable(err)),
        };

        let row = ledger_entries::Model {
            id: entry.id,
            user_id: entry.user_id,
            delta: entry.delta,
            kind: entry.kind.as_str().to_owned(),
            reason: entry.reason,
            reference: entry.reference,
            balance_after: balance,
            actor_id: entry.actor_id,
            idempotency_key: claim.as_ref().map(|claim| claim.key.clone()),
            created_at: now,
        };
        ledger_entries::Entity::insert(ledger_entries::ActiveModel::from(row.clone()))
            .exec_without_returning(&tx)
            .await
            .map_err(unavailable)?;

        if let Some(claim) = claim {
            let key = idempotency_keys::ActiveModel {
                scope: Set(claim.scope),
                key: Set(claim.key),
                fingerprint: Set(claim.fingerprint),
                resource_id: Set(row.id),
                created_at: Set(now),
                expires_at: Set(now + IDEMPOTENCY_KEY_TTL),
            };
            idempotency_keys::Entity::insert(key)
                .exec_without_returning(&tx)
                .await
                .map_err(|err| {
                    // Another transaction recorded the key first: it is that request's effect.
                    if unique_violation(&err).is_some() {
                        RepoError::IdempotencyKeyInFlight
                    } else {
                        unavailable(err)
                    }
                })?;
        }
        tx.commit().await.map_err(unavailable)?;
        entry_from_row(row).map(AppendOutcome::Applied)
    }
}
