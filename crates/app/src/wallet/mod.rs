//! Points wallet use cases (Explaino, Edupeak): reading my balance and ledger, and admin
//! grants and deductions. The balance rule is checked twice on purpose: by the domain for
//! a clear error, and by the database inside the write so concurrent deductions cannot
//! overdraw.

use lyceum_domain::wallet::{Adjustment, LedgerEntry, Wallet, WalletError};
use lyceum_ports::idempotency::IdempotentRequest;
use lyceum_ports::wallet::{AppendOutcome, NewLedgerEntry};
use lyceum_ports::{Page, PageRequest, RepoError};
use uuid::Uuid;

use crate::Resource;
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
    /// request returns the first result and changes nothing; the key is stored in the
    /// same transaction as the ledger entry.
    pub async fn admin_adjust_wallet(
        &self,
        actor: &Actor,
        user_id: Uuid,
        adjustment: Adjustment,
        idempotency: Option<IdempotentRequest>,
    ) -> Result<AdjustmentResult, AppError> {
        Self::require_admin(actor)?;
        let wallet = self
            .ports
            .wallets
            .wallet(user_id)
            .await?
            .ok_or(AppError::NotFound(Resource::User))?;
        let claim =
            idempotency.map(|request| request.claim(format!("wallet_adjustment:{}", actor.id())));
        // A replay must answer with the first result even if the balance has moved since,
        // so with a key only overflow is checked early; the database's balance check inside
        // the write still applies.
        match wallet.balance_after(adjustment.delta()) {
            Err(WalletError::InsufficientPoints { balance, requested }) if claim.is_none() => {
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
