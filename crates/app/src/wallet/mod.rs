//! Points wallet use cases (Explaino, Edupeak): reading my balance and ledger, and admin
//! grants and deductions. The balance rule is checked twice on purpose: by the domain for
//! a clear error, and by the database inside the write so concurrent deductions cannot
//! overdraw.

use lyceum_domain::wallet::{Adjustment, LedgerEntry, Wallet, WalletError};
use lyceum_ports::wallet::{AppendOutcome, NewLedgerEntry};
use lyceum_ports::{Page, PageRequest, RepoError};
use uuid::Uuid;

use crate::Resource;
use crate::idempotency::{Claimed, Keyed, Reply};
use crate::identity::Actor;
use crate::{AppError, Lyceum};

/// An admin adjustment's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdjustmentResult {
    /// The ledger entry (the first request's entry on a replay).
    pub entry: LedgerEntry,
    /// True when an earlier request with the same idempotency key produced it.
    pub replayed: bool,
}

impl Lyceum {
    /// My wallet.
    pub async fn my_wallet(&self, actor: &Actor) -> Result<Wallet, AppError> {
        self.ports
            .wallets
            .wallet(actor.id())
            .await?
            .ok_or(AppError::NotFound(Resource::Wallet))
    }

    /// My ledger, newest first.
    pub async fn my_ledger(
        &self,
        actor: &Actor,
        page: PageRequest,
    ) -> Result<Page<LedgerEntry>, AppError> {
        Ok(self.ports.wallets.ledger(actor.id(), page).await?)
    }

    /// Grants or deducts points (admin). With an idempotency key, repeating the same
    /// request returns the first answer — the entry as it was, or the refusal (not enough
    /// points, no such user) even once points have arrived — and changes nothing; the key
    /// is stored in the same transaction as the ledger entry. Keys are the admin's own.
    pub async fn admin_adjust_wallet(
        &self,
        actor: &Actor,
        user_id: Uuid,
        adjustment: Adjustment,
        idempotency: Option<Keyed<'_, AdjustmentResult>>,
    ) -> Result<Reply<AdjustmentResult>, AppError> {
        let scope = format!("wallet_adjustment:{}", actor.id());
        self.once(scope, idempotency, |claim| {
            self.adjust_wallet(actor, user_id, adjustment, claim)
        })
        .await
    }

    async fn adjust_wallet(
        &self,
        actor: &Actor,
        user_id: Uuid,
        adjustment: Adjustment,
        claimed: Option<Claimed>,
    ) -> Result<AdjustmentResult, AppError> {
        Self::require_admin(actor)?;
        let wallet = self
            .ports
            .wallets
            .wallet(user_id)
            .await?
            .ok_or(AppError::NotFound(Resource::User))?;
        // A key whose entry is committed but whose answer was not stored replays from the
        // entry even if the balance has moved since, so then only overflow is checked
        // early; the database's balance check inside the write still applies.
        let committed = claimed.as_ref().is_some_and(|claimed| claimed.committed);
        let claim = claimed.map(|claimed| claimed.claim);
        match wallet.balance_after(adjustment.delta()) {
            Err(WalletError::InsufficientPoints { balance, requested }) if !committed => {
                return Err(AppError::Wallet(WalletError::InsufficientPoints {
                    balance,
                    requested,
                }));
            }
            Err(WalletError::InsufficientPoints { .. }) | Ok(_) => {}
            Err(other) => return Err(AppError::rejected("points", other)),
        }
        let entry = NewLedgerEntry {
            id: self.ports.ids.new_id(),
            user_id,
            delta: adjustment.delta(),
            kind: adjustment.kind(),
            reason: adjustment.reason.clone(),
            reference: None,
            actor_id: Some(actor.id()),
        };
        let outcome = self
            .ports
            .wallets
            .append_ledger_entry(entry, claim, self.ports.clock.now())
            .await
            .map_err(|e| match e {
                RepoError::InsufficientPoints { balance } => {
                    AppError::Wallet(WalletError::InsufficientPoints {
                        balance,
                        requested: adjustment.points.value(),
                    })
                }
                RepoError::NotFound => AppError::NotFound(Resource::User),
                other => other.into(),
            })?;
        Ok(match outcome {
            AppendOutcome::Applied(entry) => AdjustmentResult {
                entry,
                replayed: false,
            },
            AppendOutcome::Replayed(entry) => AdjustmentResult {
                entry,
                replayed: true,
            },
        })
    }
}
