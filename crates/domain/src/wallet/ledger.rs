//! Ledger entries: the append-only history that explains every balance.

use time::OffsetDateTime;
use uuid::Uuid;

use super::{Points, WalletError};
use crate::validation::text::{self, ControlCharacters};
use crate::validation::{FieldRule, Violation};

/// What caused a balance change. Later contexts add their own kinds (session rewards,
/// quiz points, blog posting costs); the stored name is stable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LedgerEntryKind {
    /// Points granted by an admin.
    AdminGrant,
    /// Points removed by an admin.
    AdminDeduction,
}

impl LedgerEntryKind {
    /// Stable name used in the API and the database.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::AdminGrant => "admin_grant",
            Self::AdminDeduction => "admin_deduction",
        }
    }

    /// Parses the stable name.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "admin_grant" => Some(Self::AdminGrant),
            "admin_deduction" => Some(Self::AdminDeduction),
            _ => None,
        }
    }
}

/// One balance change, never edited or deleted while the wallet exists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerEntry {
    /// UUIDv7: ordering by id is ordering by time.
    pub id: Uuid,
    /// Whose wallet.
    pub user_id: Uuid,
    /// Signed change.
    pub delta: i64,
    /// What caused it.
    pub kind: LedgerEntryKind,
    /// Why, in words (shown to the wallet owner).
    pub reason: String,
    /// What it refers to (a booking id, a quiz id…), if anything.
    pub reference: Option<String>,
    /// Balance right after this entry.
    pub balance_after: Points,
    /// Who made it happen, when a person did (the admin).
    pub actor_id: Option<Uuid>,
    /// The client's idempotency key, when one was sent.
    pub idempotency_key: Option<String>,
    /// When.
    pub created_at: OffsetDateTime,
}

/// Grant or deduct.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdjustmentDirection {
    /// Add points.
    Grant,
    /// Remove points.
    Deduct,
}

/// A validated admin adjustment: a positive number of points, a direction and a reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Adjustment {
    /// Grant or deduct.
    pub direction: AdjustmentDirection,
    /// How many, at least 1.
    pub points: Points,
    /// Why: one line of 1–500 characters, as it is listed in the wallet's history.
    pub reason: String,
}

/// Why an adjustment request was refused before touching the wallet.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AdjustmentError {
    /// Points invalid.
    #[error(transparent)]
    Points(#[from] WalletError),
    /// Reason blank: an adjustment always states why.
    #[error("reason must be 1 to 500 characters")]
    EmptyReason,
    /// Reason over 500 characters.
    #[error("reason must be 1 to 500 characters")]
    LongReason,
    /// A reason that is not a single line of text (see [`crate::validation::text`]).
    #[error(transparent)]
    ReasonCharacters(#[from] ControlCharacters),
}

impl FieldRule for AdjustmentError {
    fn violation(&self) -> Violation {
        match self {
            AdjustmentError::Points(error) => error.violation(),
            AdjustmentError::EmptyReason => Violation::Required,
            AdjustmentError::LongReason => Violation::TooLong,
            AdjustmentError::ReasonCharacters(refusal) => refusal.violation(),
        }
    }
}

impl Adjustment {
    /// An adjustment always states why: the ledger is read by the wallet owner.
    pub fn new(
        direction: AdjustmentDirection,
        points: i64,
        reason: &str,
    ) -> Result<Self, AdjustmentError> {
        let points = Points::new(points)?;
        if points == Points::ZERO {
            return Err(WalletError::Zero.into());
        }
        text::single_line(reason)?;
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(AdjustmentError::EmptyReason);
        }
        if reason.chars().count() > 500 {
            return Err(AdjustmentError::LongReason);
        }
        Ok(Self {
            direction,
            points,
            reason: reason.to_owned(),
        })
    }

    /// The signed change.
    pub fn delta(&self) -> i64 {
        match self.direction {
            AdjustmentDirection::Grant => self.points.value(),
            AdjustmentDirection::Deduct => -self.points.value(),
        }
    }

    /// The ledger kind this adjustment records.
    pub fn kind(&self) -> LedgerEntryKind {
        match self.direction {
            AdjustmentDirection::Grant => LedgerEntryKind::AdminGrant,
            AdjustmentDirection::Deduct => LedgerEntryKind::AdminDeduction,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deduction_has_a_negative_delta() {
        let a = Adjustment::new(AdjustmentDirection::Deduct, 3, "correction").unwrap();
        assert_eq!(a.delta(), -3);
        assert_eq!(a.kind(), LedgerEntryKind::AdminDeduction);
    }

    #[test]
    fn zero_points_or_blank_reason_are_refused() {
        assert_eq!(
            Adjustment::new(AdjustmentDirection::Grant, 0, "x"),
            Err(AdjustmentError::Points(WalletError::Zero))
        );
        assert_eq!(
            Adjustment::new(AdjustmentDirection::Grant, 5, "  "),
            Err(AdjustmentError::EmptyReason)
        );
        assert!(Adjustment::new(AdjustmentDirection::Grant, -5, "x").is_err());
    }

    #[test]
    fn the_reason_is_one_line() {
        for reason in ["welcome\nbonus", "welcome\t", "bonus\u{7}"] {
            assert!(
                matches!(
                    Adjustment::new(AdjustmentDirection::Grant, 5, reason),
                    Err(AdjustmentError::ReasonCharacters(_))
                ),
                "{reason:?}"
            );
        }
    }
}
