//! Refunds (Edupeak: amount and reason; MedicalEdu: refunds per payment): what may go
//! back, and how a refund the provider failed is retried before a person looks at it.

use std::fmt;

use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::payment::Payment;
use crate::money::Money;
use crate::validation::text::{ControlCharacters, TextKind};
use crate::validation::{FieldRule, Violation};

/// Why money goes back, in the words of whoever asked (an admin, or Lyceum itself: "the
/// booking was cancelled"). Kept for the payer's receipt and the audit trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundReason(String);

/// The longest reason.
pub const REFUND_REASON_MAX: usize = 500;

impl RefundReason {
    /// One line of 1 to 500 characters, trimmed.
    pub fn parse(raw: &str) -> Result<Self, RefundError> {
        TextKind::SingleLine
            .check(raw)
            .map_err(RefundError::ReasonCharacters)?;
        let reason = raw.trim();
        if reason.is_empty() {
            return Err(RefundError::ReasonRequired);
        }
        if reason.chars().count() > REFUND_REASON_MAX {
            return Err(RefundError::ReasonTooLong);
        }
        Ok(Self(reason.to_owned()))
    }

    /// The reason.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Where a refund stands. A booking or enrollment says "refunded" only once its refund
/// is `Succeeded`: the money actually moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RefundStatus {
    /// Asked for; the provider has not confirmed yet (or it will be retried).
    Pending,
    /// The money went back.
    Succeeded,
    /// The provider failed it every time it was tried: parked for an admin.
    Failed,
}

impl RefundStatus {
    /// Every status, for schemas.
    pub const ALL: [RefundStatus; 3] = [
        RefundStatus::Pending,
        RefundStatus::Succeeded,
        RefundStatus::Failed,
    ];

    /// The stable snake_case name used in the API and the database.
    pub fn as_str(&self) -> &'static str {
        match self {
            RefundStatus::Pending => "pending",
            RefundStatus::Succeeded => "succeeded",
            RefundStatus::Failed => "failed",
        }
    }

    /// The status named `raw`, if there is one.
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }
}

impl fmt::Display for RefundStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a refund was refused or cannot change as asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RefundError {
    /// A refund moves at least one minor unit.
    #[error("a refund must be more than zero")]
    Zero,
    /// Not in the payment's currency: refunds are never converted.
    #[error("a refund is in the payment's currency")]
    OtherCurrency,
    /// More than what was paid and is not already refunded or being refunded.
    #[error("at most {refundable} can still be refunded")]
    ExceedsRefundable {
        /// What can still go back.
        refundable: Money,
    },
    /// The payment took no money (pending, failed, cancelled).
    #[error("this payment took no money to refund")]
    NotPaid,
    /// Only a pending refund can be confirmed or failed, only a failed one retried.
    #[error("a {from} refund cannot become {to}")]
    InvalidTransition {
        /// Status now.
        from: RefundStatus,
        /// Status asked for.
        to: RefundStatus,
    },
    /// No reason given.
    #[error("a reason is required")]
    ReasonRequired,
    /// Over 500 characters.
    #[error("a reason has at most 500 characters")]
    ReasonTooLong,
    /// Control characters or line breaks.
    #[error(transparent)]
    ReasonCharacters(ControlCharacters),
}

impl FieldRule for RefundError {
    fn violation(&self) -> Violation {
        match self {
            RefundError::Zero | RefundError::ExceedsRefundable { .. } => Violation::OutOfRange,
            RefundError::OtherCurrency => Violation::Inconsistent,
            RefundError::NotPaid | RefundError::InvalidTransition { .. } => Violation::NotAllowed,
            RefundError::ReasonRequired => Violation::Required,
            RefundError::ReasonTooLong => Violation::TooLong,
            RefundError::ReasonCharacters(c) => c.violation(),
        }
    }
}

/// How many times the background job tries a refund before parking it for an admin.
pub const MAX_REFUND_ATTEMPTS: u32 = 8;

/// A refund of (part of) a payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refund {
    /// Its id, also the idempotency key sent to the provider: a retry can never refund
    /// twice.
    pub id: Uuid,
    /// The payment refunded.
    pub payment_id: Uuid,
    /// How much goes back.
    pub amount: Money,
    /// Why.
    pub reason: RefundReason,
    /// Where it stands.
    pub status: RefundStatus,
    /// The provider's refund id, once it has one.
    pub provider_refund_id: Option<String>,
    /// Tries so far.
    pub attempts: u32,
    /// When the background job tries next (pending refunds only).
    pub next_attempt_at: Option<OffsetDateTime>,
    /// The provider's last error, for the admin.
    pub last_error: Option<String>,
    /// The admin who asked, or none when Lyceum did (a cancellation, an expired hold).
    pub requested_by: Option<Uuid>,
    /// When it was asked for.
    pub created_at: OffsetDateTime,
    /// When it last changed.
    pub updated_at: OffsetDateTime,
}

impl Refund {
    /// A new pending refund of `amount` of `payment`, refused when it is zero, in another
    /// currency, or more than still refundable given the refunds in flight.
    pub fn request(
        id: Uuid,
        payment: &Payment,
        amount: Money,
        in_flight: Money,
        reason: RefundReason,
        requested_by: Option<Uuid>,
        now: OffsetDateTime,
    ) -> Result<Refund, RefundError> {
        if !payment.status.was_paid() {
            return Err(RefundError::NotPaid);
        }
        if amount.currency() != payment.amount.currency() {
            return Err(RefundError::OtherCurrency);
        }
        if amount.is_zero() {
            return Err(RefundError::Zero);
        }
        let refundable = payment
            .refundable(in_flight)
            .unwrap_or(Money::zero(payment.amount.currency()));
        if amount.amount_minor() > refundable.amount_minor() {
            return Err(RefundError::ExceedsRefundable { refundable });
        }
        Ok(Refund {
            id,
            payment_id: payment.id,
            amount,
            reason,
            status: RefundStatus::Pending,
            provider_refund_id: None,
            attempts: 0,
            next_attempt_at: Some(now),
            last_error: None,
            requested_by,
            created_at: now,
            updated_at: now,
        })
    }

    /// How long after its `attempt`-th failure (1-based) a refund is tried again: one
    /// minute, doubling, at most six hours — long enough for a provider's outage to end,
    /// short enough that the payer is not kept waiting for days.
    pub fn retry_after(attempt: u32) -> Duration {
        let minutes = 1_i64 << attempt.saturating_sub(1).min(20);
        Duration::minutes(minutes.min(6 * 60))
    }

    /// The provider confirmed the refund.
    pub fn succeed(
        &mut self,
        provider_refund_id: Option<String>,
        now: OffsetDateTime,
    ) -> Result<(), RefundError> {
        self.expect(RefundStatus::Pending, RefundStatus::Succeeded)?;
        self.status = RefundStatus::Succeeded;
        if provider_refund_id.is_some() {
            self.provider_refund_id = provider_refund_id;
        }
        self.next_attempt_at = None;
        self.updated_at = now;
        Ok(())
    }

    /// A try failed: scheduled again with backoff, or parked as `Failed` after
    /// [`MAX_REFUND_ATTEMPTS`].
    pub fn attempt_failed(
        &mut self,
        error: String,
        now: OffsetDateTime,
    ) -> Result<(), RefundError> {
        self.expect(RefundStatus::Pending, RefundStatus::Pending)?;
        self.attempts += 1;
        self.last_error = Some(error);
        self.updated_at = now;
        if self.attempts >= MAX_REFUND_ATTEMPTS {
            self.status = RefundStatus::Failed;
            self.next_attempt_at = None;
        } else {
            self.next_attempt_at = Some(now + Refund::retry_after(self.attempts));
        }
        Ok(())
    }

    /// An admin retries a parked refund: it starts over with a fresh count.
    pub fn retry(&mut self, now: OffsetDateTime) -> Result<(), RefundError> {
        self.expect(RefundStatus::Failed, RefundStatus::Pending)?;
        self.status = RefundStatus::Pending;
        self.attempts = 0;
        self.next_attempt_at = Some(now);
        self.updated_at = now;
        Ok(())
    }

    fn expect(&self, from: RefundStatus, to: RefundStatus) -> Result<(), RefundError> {
        if self.status == from {
            Ok(())
        } else {
            Err(RefundError::InvalidTransition {
                from: self.status,
                to,
            })
        }
    }
}

#[cfg(test)]
mod tests;
