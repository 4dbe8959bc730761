//! A payment: one attempt to pay for one purchase, and its state machine.

use std::fmt;

use time::OffsetDateTime;
use uuid::Uuid;

use crate::money::{Money, MoneyError};
use crate::wallet::Points;

/// Who moves the money. Lyceum speaks to each through an adapter of the payment gateway.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PaymentProvider {
    /// Settles at once without moving money, with documented amounts that fail on purpose
    /// ([`crate::payments::sandbox`]), so that clients can be built and tested without a
    /// provider account.
    Sandbox,
    /// Stripe PaymentIntents (Edupeak).
    Stripe,
    /// Razorpay Orders (PeerLearn).
    Razorpay,
}

impl PaymentProvider {
    /// Every provider, for schemas and configuration checks.
    pub const ALL: [PaymentProvider; 3] = [
        PaymentProvider::Sandbox,
        PaymentProvider::Stripe,
        PaymentProvider::Razorpay,
    ];

    /// The stable lower-case name used in the API, the database and webhook URLs.
    pub fn as_str(&self) -> &'static str {
        match self {
            PaymentProvider::Sandbox => "sandbox",
            PaymentProvider::Stripe => "stripe",
            PaymentProvider::Razorpay => "razorpay",
        }
    }

    /// The provider named `raw`, if Lyceum knows it.
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == raw)
    }
}

impl fmt::Display for PaymentProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What kind of thing is bought. One payments context serves every purchase, so a payment
/// names its purchase by kind and id instead of having a column per kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PurchaseKind {
    /// A seat in a paid mentoring session.
    Booking,
    /// A paid course enrollment.
    Enrollment,
}

impl PurchaseKind {
    /// The stable lower-case name used in the API and the database.
    pub fn as_str(&self) -> &'static str {
        match self {
            PurchaseKind::Booking => "booking",
            PurchaseKind::Enrollment => "enrollment",
        }
    }

    /// The kind named `raw`, if there is one.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "booking" => Some(PurchaseKind::Booking),
            "enrollment" => Some(PurchaseKind::Enrollment),
            _ => None,
        }
    }
}

/// The thing a payment pays for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Purchase {
    /// Booking or enrollment.
    pub kind: PurchaseKind,
    /// The booking's or enrollment's id.
    pub id: Uuid,
}

/// Where a payment stands. `Pending` until the provider answers; a succeeded payment can
/// only lose money to refunds, never go back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PaymentStatus {
    /// Created; the payer has not paid yet (or the provider has not said so).
    Pending,
    /// The money was taken.
    Succeeded,
    /// The provider refused (card declined…); another payment may follow.
    Failed,
    /// Given up before it was paid (the hold expired, the booking was cancelled).
    Cancelled,
    /// Some of the money went back.
    PartiallyRefunded,
    /// All of the money went back.
    Refunded,
}

impl PaymentStatus {
    /// Every status, for schemas.
    pub const ALL: [PaymentStatus; 6] = [
        PaymentStatus::Pending,
        PaymentStatus::Succeeded,
        PaymentStatus::Failed,
        PaymentStatus::Cancelled,
        PaymentStatus::PartiallyRefunded,
        PaymentStatus::Refunded,
    ];

    /// The stable snake_case name used in the API and the database.
    pub fn as_str(&self) -> &'static str {
        match self {
            PaymentStatus::Pending => "pending",
            PaymentStatus::Succeeded => "succeeded",
            PaymentStatus::Failed => "failed",
            PaymentStatus::Cancelled => "cancelled",
            PaymentStatus::PartiallyRefunded => "partially_refunded",
            PaymentStatus::Refunded => "refunded",
        }
    }

    /// The status named `raw`, if there is one.
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    /// Whether money was taken (and so may be refunded).
    pub fn was_paid(&self) -> bool {
        matches!(
            self,
            PaymentStatus::Succeeded | PaymentStatus::PartiallyRefunded | PaymentStatus::Refunded
        )
    }

    /// Whether nothing more can happen to the payment but refunds: a provider's late
    /// "succeeded" for a failed or cancelled payment is a separate fact to handle (refund
    /// it), never a transition.
    pub fn is_settled(&self) -> bool {
        !matches!(self, PaymentStatus::Pending)
    }

    fn to(self, to: PaymentStatus) -> Result<PaymentStatus, PaymentError> {
        use PaymentStatus as S;
        let allowed = matches!(
            (self, to),
            (S::Pending, S::Succeeded | S::Failed | S::Cancelled)
                | (
                    S::Succeeded | S::PartiallyRefunded,
                    S::PartiallyRefunded | S::Refunded
                )
        );
        if allowed {
            Ok(to)
        } else {
            Err(PaymentError::InvalidTransition { from: self, to })
        }
    }

    /// The provider took the money.
    pub fn succeed(self) -> Result<PaymentStatus, PaymentError> {
        self.to(PaymentStatus::Succeeded)
    }

    /// The provider refused.
    pub fn fail(self) -> Result<PaymentStatus, PaymentError> {
        self.to(PaymentStatus::Failed)
    }

    /// Given up before it was paid.
    pub fn cancel(self) -> Result<PaymentStatus, PaymentError> {
        self.to(PaymentStatus::Cancelled)
    }

    /// After a refund succeeded: `refunded` once everything paid went back.
    pub fn after_refund(
        self,
        refunded: Money,
        amount: Money,
    ) -> Result<PaymentStatus, PaymentError> {
        if refunded.currency() != amount.currency() {
            return Err(PaymentError::Money(MoneyError::CurrencyMismatch {
                left: amount.currency(),
                right: refunded.currency(),
            }));
        }
        if refunded.amount_minor() > amount.amount_minor() {
            return Err(PaymentError::RefundedMoreThanPaid { paid: amount });
        }
        if refunded.amount_minor() == amount.amount_minor() {
            self.to(PaymentStatus::Refunded)
        } else {
            self.to(PaymentStatus::PartiallyRefunded)
        }
    }
}

impl fmt::Display for PaymentStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a payment could not change as asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PaymentError {
    /// The state machine has no such step (a failed payment cannot succeed later).
    #[error("a payment cannot go from {from} to {to}")]
    InvalidTransition {
        /// Status now.
        from: PaymentStatus,
        /// Status asked for.
        to: PaymentStatus,
    },
    /// More would have gone back than was paid.
    #[error("refunds cannot exceed the {paid} paid")]
    RefundedMoreThanPaid {
        /// What was paid.
        paid: Money,
    },
    /// Amounts in different currencies, or out of range.
    #[error(transparent)]
    Money(#[from] MoneyError),
}

/// One attempt to pay for a purchase. A purchase may have several (a declined card, then
/// a good one); at most one of them succeeds, which the adapters guard.
///
/// `amount` is what the provider charges and is always computed by the server:
/// `price − discount − points_value` ([`crate::payments::price_checkout`]); it may be zero
/// when a promo code or points cover the whole price, and then no provider is involved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payment {
    /// Lyceum's id, also sent to the provider (metadata, receipt) to tie its events back.
    pub id: Uuid,
    /// Who pays.
    pub payer_id: Uuid,
    /// What is bought.
    pub purchase: Purchase,
    /// The list price when the payment was created.
    pub price: Money,
    /// Taken off by a promo code.
    pub discount: Money,
    /// The promo code applied, if any.
    pub promo_code_id: Option<Uuid>,
    /// Points spent on this payment (taken from the wallet with it, given back if it
    /// fails or is refunded).
    pub points_used: Points,
    /// What those points were worth in the price's currency.
    pub points_value: Money,
    /// What the provider charges.
    pub amount: Money,
    /// Who moves the money.
    pub provider: PaymentProvider,
    /// Stripe PaymentIntent or Razorpay Order id.
    pub provider_order_id: Option<String>,
    /// Stripe charge / PaymentIntent id or Razorpay payment id, once paid.
    pub provider_payment_id: Option<String>,
    /// Where it stands.
    pub status: PaymentStatus,
    /// The provider's reason for a failure, for the payer.
    pub failure_reason: Option<String>,
    /// Refunded so far (succeeded refunds only).
    pub refunded: Money,
    /// When it was created.
    pub created_at: OffsetDateTime,
    /// When it last changed.
    pub updated_at: OffsetDateTime,
    /// When the money was taken.
    pub succeeded_at: Option<OffsetDateTime>,
}

impl Payment {
    /// What can still be refunded, given the refunds already asked for and not finished
    /// (`in_flight`): a refund is reserved against the payment when it is asked for, so
    /// two concurrent refunds can never together exceed what was paid.
    pub fn refundable(&self, in_flight: Money) -> Result<Money, PaymentError> {
        if !self.status.was_paid() {
            return Ok(Money::zero(self.amount.currency()));
        }
        let committed = self.refunded.checked_add(in_flight)?;
        self.amount
            .checked_sub(committed)
            .map_err(|_| PaymentError::RefundedMoreThanPaid { paid: self.amount })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::money::Currency;
    use PaymentStatus as S;

    fn inr(amount: i64) -> Money {
        Money::new(amount, Currency::parse("INR").unwrap()).unwrap()
    }

    #[test]
    fn a_pending_payment_succeeds_fails_or_is_cancelled_once() {
        assert_eq!(S::Pending.succeed(), Ok(S::Succeeded));
        assert_eq!(S::Pending.fail(), Ok(S::Failed));
        assert_eq!(S::Pending.cancel(), Ok(S::Cancelled));
        for settled in [S::Succeeded, S::Failed, S::Cancelled, S::Refunded] {
            assert!(settled.succeed().is_err());
            assert_eq!(
                settled.cancel(),
                Err(PaymentError::InvalidTransition {
                    from: settled,
                    to: S::Cancelled
                })
            );
        }
        assert_eq!(
            S::Failed.succeed(),
            Err(PaymentError::InvalidTransition {
                from: S::Failed,
                to: S::Succeeded
            })
        );
    }

    #[test]
    fn refunds_move_a_paid_payment_to_partially_refunded_then_refunded() {
        assert_eq!(
            S::Succeeded.after_refund(inr(100), inr(500)),
            Ok(S::PartiallyRefunded)
        );
        assert_eq!(
            S::PartiallyRefunded.after_refund(inr(500), inr(500)),
            Ok(S::Refunded)
        );
        assert_eq!(
            S::Succeeded.after_refund(inr(500), inr(500)),
            Ok(S::Refunded)
        );
        assert_eq!(
            S::Succeeded.after_refund(inr(501), inr(500)),
            Err(PaymentError::RefundedMoreThanPaid { paid: inr(500) })
        );
        assert!(S::Pending.after_refund(inr(1), inr(500)).is_err());
        assert!(S::Refunded.after_refund(inr(500), inr(500)).is_err());
    }

    #[test]
    fn names_round_trip() {
        for p in PaymentProvider::ALL {
            assert_eq!(PaymentProvider::parse(p.as_str()), Some(p));
        }
        for s in PaymentStatus::ALL {
            assert_eq!(PaymentStatus::parse(s.as_str()), Some(s));
        }
        for k in [PurchaseKind::Booking, PurchaseKind::Enrollment] {
            assert_eq!(PurchaseKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(PaymentProvider::parse("paypal"), None);
    }

    /// A payment of `amount` INR paise, `refunded` of it back, in `status` (also used by
    /// the refund tests).
    pub(crate) fn payment(amount: i64, refunded: i64, status: PaymentStatus) -> Payment {
        let now = OffsetDateTime::UNIX_EPOCH;
        Payment {
            id: Uuid::from_u128(1),
            payer_id: Uuid::from_u128(2),
            purchase: Purchase {
                kind: PurchaseKind::Booking,
                id: Uuid::from_u128(3),
            },
            price: inr(amount),
            discount: inr(0),
            promo_code_id: None,
            points_used: Points::ZERO,
            points_value: inr(0),
            amount: inr(amount),
            provider: PaymentProvider::Stripe,
            provider_order_id: None,
            provider_payment_id: None,
            status,
            failure_reason: None,
            refunded: inr(refunded),
            created_at: now,
            updated_at: now,
            succeeded_at: None,
        }
    }

    #[test]
    fn only_paid_money_not_yet_refunded_or_reserved_is_refundable() {
        let paid = payment(1_000, 200, S::PartiallyRefunded);
        assert_eq!(paid.refundable(inr(300)), Ok(inr(500)));
        assert_eq!(paid.refundable(inr(800)), Ok(inr(0)));
        assert_eq!(
            paid.refundable(inr(801)),
            Err(PaymentError::RefundedMoreThanPaid { paid: inr(1_000) })
        );
        assert_eq!(payment(1_000, 0, S::Pending).refundable(inr(0)), Ok(inr(0)));
        assert_eq!(payment(1_000, 0, S::Failed).refundable(inr(0)), Ok(inr(0)));
    }
}
