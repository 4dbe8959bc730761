//! [`WalletStore`]: balances change only together with a ledger entry, in one write
//! transaction guarded by the database.

use async_trait::async_trait;
use lyceum_domain::wallet::{LedgerEntry, LedgerEntryKind, Points, Wallet};
use lyceum_ports::idempotency::IdempotencyClaim;
use lyceum_ports::wallet::{AppendOutcome, NewLedgerEntry, WalletRepository};
use lyceum_ports::{Page, PageRequest, RepoError};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, DbErr, EntityTrait, QueryFilter, Statement,
};
use time::OffsetDateTime;
use uuid::Uuid;

use super::entities::{ledger_entries, wallets};
use crate::database::{Database, corrupt, db_time, finish, is_check_violation, unavailable};
use crate::guarded_write;
use crate::idempotency::{claimed_resource, record_claim};
use crate::pagination::IdOrder::NewestFirst;
use crate::pagination::{page_from_rows, page_rows};

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
        let Some(entry_id) = claimed_resource(&self.db, tx, claim, now).await? else {
            return Ok(None);
        };
        // The entry is gone only if its wallet was erased since.
        let entry = ledger_entries::Entity::find_by_id(entry_id)
            .one(tx)
            .await
            .map_err(unavailable)?
            .ok_or(RepoError::NotFound)?;
        entry_from_row(entry).map(Some)
    }

    /// Why the guarded update changed nothing: no wallet, or not enough points.
    async fn refusal(conn: &impl ConnectionTrait, user_id: Uuid) -> RepoError {
        guarded_write::refusal::<wallets::Entity>(conn, user_id, |wallet| {
            RepoError::InsufficientPoints {
                balance: wallet.balance,
            }
        })
        .await
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
        let select =
            ledger_entries::Entity::find().filter(ledger_entries::Column::UserId.eq(user_id));
        let id = ledger_entries::Column::Id;
        let rows = page_rows(self.db.connection(), select, id, NewestFirst, page).await?;
        page_from_rows(rows, page, entry_from_row, |e| e.id)
    }

    async fn append_ledger_entry(
        &self,
        entry: NewLedgerEntry,
        claim: Option<IdempotencyClaim>,
        now: OffsetDateTime,
    ) -> Result<AppendOutcome, RepoError> {
        let now = db_time(now);
        let tx = self.db.begin_write().await?;
        if let Some(claim) = &claim {
            // Every way out ends the transaction explicitly: a dropped one is only rolled
            // back when its connection is next used, and until then PostgreSQL keeps the
            // key's advisory lock, so a retry would be told the key is in flight.
            match self.replay(&tx, claim, now).await {
                Ok(None) => {}
                // Nothing was written; ending the transaction releases the lock at once.
                Ok(Some(first)) => {
                    tx.rollback().await.map_err(unavailable)?;
                    return Ok(AppendOutcome::Replayed(first));
                }
                Err(error) => return finish(tx, Err(error)).await,
            }
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
            Err(err) => return finish(tx, Err(unavailable(err))).await,
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
        let written = async {
            ledger_entries::Entity::insert(ledger_entries::ActiveModel::from(row.clone()))
                .exec_without_returning(&tx)
                .await
                .map_err(unavailable)?;
            if let Some(claim) = claim {
                record_claim(&tx, claim, row.id, now).await?;
            }
            Ok(())
        }
        .await;
        finish(tx, written).await?;
        entry_from_row(row).map(AppendOutcome::Applied)
    }
}
