//! The sandbox payment gateway: confirms every charge and refund, so the whole booking
//! flow can be tried without a provider account. Real providers come with the payments
//! context.

use async_trait::async_trait;
use lyceum_domain::Money;
use lyceum_ports::payments::{ChargeRequest, PaymentError, PaymentGateway, PaymentReceipt};

/// Always succeeds; references are derived from the idempotency key, so a retried charge
/// gets the same reference (as a real provider's idempotency would give).
#[derive(Debug, Clone, Copy, Default)]
pub struct SandboxPayments;

#[async_trait]
impl PaymentGateway for SandboxPayments {
    async fn charge(&self, request: ChargeRequest) -> Result<PaymentReceipt, PaymentError> {
        tracing::info!(booking_id = %request.booking_id, amount = request.amount.amount_minor(), currency = %request.amount.currency(), "sandbox charge confirmed");
        Ok(PaymentReceipt {
            provider: "sandbox".into(),
            reference: format!("sandbox_{}", request.idempotency_key),
        })
    }

    async fn refund(&self, reference: &str, amount: Money) -> Result<(), PaymentError> {
        tracing::info!(%reference, amount = amount.amount_minor(), "sandbox refund confirmed");
        Ok(())
    }
}
