//! Wallet adapter: balances and the append-only ledger.
//!
//! Database guards for the wallet rules (docs/domain-model.md, "Points wallet"):
//! - balance never negative: the conditional `UPDATE ... WHERE balance + delta >= 0`
//!   and `CHECK (balance >= 0)`;
//! - the balance equals the ledger sum: balance change and entry in one transaction;
//! - idempotency keys recorded in that same transaction (primary key (scope, key)).

pub(crate) mod entities;
mod store;

pub use store::WalletStore;
