//! Points and the balance rule.

use time::OffsetDateTime;
use uuid::Uuid;

use crate::validation::{FieldRule, Violation};

/// Why a wallet operation was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WalletError {
    /// Spending more than the balance.
    #[error("insufficient points: balance {balance}, requested {requested}")]
    InsufficientPoints {
        /// Points available.
        balance: i64,
        /// Points asked for.
        requested: i64,
    },
    /// Points are never negative.
    #[error("points must not be negative")]
    Negative,
    /// An adjustment must move at least one point.
    #[error("points must be at least 1")]
    Zero,
    /// Past what a wallet can hold.
    #[error("points overflow")]
    Overflow,
}

impl FieldRule for WalletError {
    /// An overdraft is [`Violation::NotAllowed`]: the same number is fine with a larger
    /// balance.
    fn violation(&self) -> Violation {
        match self {
            WalletError::InsufficientPoints { .. } => Violation::NotAllowed,
            WalletError::Negative | WalletError::Zero | WalletError::Overflow => {
                Violation::OutOfRange
            }
        }
    }
}

/// A non-negative number of points — a unit of its own, never money.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Points(i64);

impl Points {
    /// Zero points.
    pub const ZERO: Points = Points(0);

    /// Refuses negative values.
    pub fn new(value: i64) -> Result<Self, WalletError> {
        if value < 0 {
            Err(WalletError::Negative)
        } else {
            Ok(Self(value))
        }
    }

    /// The count.
    pub fn value(&self) -> i64 {
        self.0
    }
}

/// A user's wallet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wallet {
    /// Owner (one wallet per user).
    pub user_id: Uuid,
    /// Current balance; equals the sum of the ledger.
    pub balance: Points,
    /// Created with the user.
    pub created_at: OffsetDateTime,
    /// Last balance change.
    pub updated_at: OffsetDateTime,
}

impl Wallet {
    /// The balance after applying `delta`, or why it cannot be applied. The database
    /// repeats this check atomically; this one gives a clear error without a round trip.
    pub fn balance_after(&self, delta: i64) -> Result<Points, WalletError> {
        let next = self
            .balance
            .0
            .checked_add(delta)
            .ok_or(WalletError::Overflow)?;
        if next < 0 {
            return Err(WalletError::InsufficientPoints {
                balance: self.balance.0,
                requested: -delta,
            });
        }
        Ok(Points(next))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::datetime;

    fn wallet(balance: i64) -> Wallet {
        let at = datetime!(2026-01-01 00:00 UTC);
        Wallet {
            user_id: Uuid::nil(),
            balance: Points::new(balance).unwrap(),
            created_at: at,
            updated_at: at,
        }
    }

    #[test]
    fn deduction_beyond_balance_is_refused() {
        assert_eq!(
            wallet(2).balance_after(-3),
            Err(WalletError::InsufficientPoints {
                balance: 2,
                requested: 3
            })
        );
        assert_eq!(wallet(3).balance_after(-3), Ok(Points::ZERO));
    }

    #[test]
    fn points_are_never_negative() {
        assert_eq!(Points::new(-1), Err(WalletError::Negative));
    }

    proptest! {
        /// Whatever the sequence of grants and deductions, the balance never goes below
        /// zero and always equals the sum of the accepted deltas (the ledger sum).
        #[test]
        fn balance_never_negative_and_equals_ledger_sum(deltas in proptest::collection::vec(-50i64..50, 0..200)) {
            let mut w = wallet(0);
            let mut ledger_sum = 0i64;
            for delta in deltas {
                if let Ok(next) = w.balance_after(delta) {
                    w.balance = next;
                    ledger_sum += delta;
                }
                prop_assert!(w.balance.value() >= 0);
                prop_assert_eq!(w.balance.value(), ledger_sum);
            }
        }
    }
}
