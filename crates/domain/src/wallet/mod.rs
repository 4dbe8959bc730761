//! Points wallet (Explaino, Edupeak).
//!
//! Seed rules implemented here (what the seeds are: docs/domain-model.md):
//! - one wallet per user, created with the user, starting at zero (Explaino signal);
//! - the balance is never negative (Explaino `PositiveIntegerField`) — enforced here and
//!   by a `CHECK` constraint in the database;
//! - every change is an append-only ledger entry with the balance after it, so the
//!   balance always equals the sum of the ledger (Edupeak points history).

mod ledger;
mod points;

pub use ledger::{Adjustment, AdjustmentDirection, AdjustmentError, LedgerEntry, LedgerEntryKind};
pub use points::{Points, Wallet, WalletError};
