//! The payment gateway. Payments proper (providers, promo codes, refunds, webhooks) come
//! in their own context; bookings already need to charge and refund, so the port exists
//! now with a sandbox adapter that confirms every charge.

use async_trait::async_trait;
use lyceum_domain::Money;
use uuid::Uuid;

/// A charge to make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChargeRequest {
    /// What is being paid (the booking).
    pub booking_id: Uuid,
    /// Who pays.
    pub payer_id: Uuid,
    /// How much.
    pub amount: Money,
    /// Providers deduplicate charges by this key, so a retried request never charges twice.
    pub idempotency_key: String,
}

/// A successful charge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentReceipt {
    /// `sandbox`, `stripe`, `razorpay`.
    pub provider: String,
    /// The provider's reference, kept on the booking.
    pub reference: String,
}

/// Why a payment did not go through.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PaymentError {
    /// The provider refused the charge (card declined…).
    #[error("payment declined: {0}")]
    Declined(String),
    /// The provider could not be reached; the cause is for logs only.
    #[error("payment provider unavailable: {0}")]
    Unavailable(crate::Cause),
}

/// Charges and refunds.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait PaymentGateway: Send + Sync {
    /// Charges the payer.
    async fn charge(&self, request: ChargeRequest) -> Result<PaymentReceipt, PaymentError>;
    /// Refunds a charge in full.
    async fn refund(&self, reference: &str, amount: Money) -> Result<(), PaymentError>;
}
