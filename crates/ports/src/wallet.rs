//! The points wallet's repository.

use async_trait::async_trait;
use lyceum_domain::wallet::{LedgerEntry, LedgerEntryKind, Wallet};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::idempotency::IdempotencyClaim;
use crate::{Page, PageRequest, RepoError};

/// A balance change to append.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLedgerEntry {
    /// Id for the entry.
    pub id: Uuid,
    /// Whose wallet.
    pub user_id: Uuid,
    /// Signed change.
    pub delta: i64,
    /// What caused it.
    pub kind: LedgerEntryKind,
    /// Why.
    pub reason: String,
    /// What it refers to.
    pub reference: Option<String>,
    /// Who did it.
    pub actor_id: Option<Uuid>,
}

/// What happened to an append.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppendOutcome {
    /// The change was applied now.
    Applied(LedgerEntry),
    /// The same idempotency key and request were seen before: this is the entry the
    /// first request produced, and nothing changed.
    Replayed(LedgerEntry),
}

/// Wallets and their ledgers.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait WalletRepository: Send + Sync {
    /// The user's wallet.
    async fn wallet(&self, user_id: Uuid) -> Result<Option<Wallet>, RepoError>;

    /// Ledger entries, newest first.
    async fn ledger(
        &self,
        user_id: Uuid,
        page: PageRequest,
    ) -> Result<Page<LedgerEntry>, RepoError>;

    /// Applies `entry.delta` to the balance and appends the entry in one transaction,
    /// refusing with [`RepoError::InsufficientPoints`] if the balance would go below
    /// zero — checked by the database, so concurrent appends cannot overdraw. When a
    /// claim is given, the key is recorded in the same transaction; a replay returns
    /// [`AppendOutcome::Replayed`].
    async fn append_ledger_entry(
        &self,
        entry: NewLedgerEntry,
        claim: Option<IdempotencyClaim>,
        now: OffsetDateTime,
    ) -> Result<AppendOutcome, RepoError>;
}
