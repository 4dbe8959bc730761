//! Payments: one ledger for every purchase (PeerLearn, Edupeak, MedicalEdu, Explaino).
//!
//! Seed rules implemented here (what the seeds are: docs/domain-model.md):
//! - a purchase (a booking now, an enrollment later) may have several payments — a
//!   declined card, then a good one (MedicalEdu Booking → Payment 1:N); a payment is
//!   `pending → succeeded | failed | cancelled`, then `succeeded → partially_refunded →
//!   refunded` ([`PaymentStatus`]);
//! - the amount charged is computed by the server from the price, a promo code's discount
//!   and the points spent, never taken from the client; it must match the price
//!   (PeerLearn: "amount must match the session price") — [`price_checkout`];
//! - refunds carry an amount and a reason (Edupeak) and never add up to more than was
//!   paid ([`Refund::request`], guarded by the database too); a refund that fails is
//!   retried with backoff, then parked for an admin;
//! - promo codes are unique ignoring case, percent or fixed, with a validity window, use
//!   limits in total and per user, a minimum order and a scope (MedicalEdu PromoCodes);
//!   applying one records the discount with the payment (BookingPromoCodes) —
//!   [`PromoCode::quote`];
//! - points pay for part or all of a price at a configured rate (Explaino wallet) —
//!   [`PointsRate`];
//! - money keeps its currency's minor units and is never converted silently
//!   ([`crate::Currency::minor_units`]); admins keep exchange rates used only to show a
//!   price approximately in another currency ([`approximate`]).
//!
//! Providers (Stripe, Razorpay, the sandbox) are adapters of the payment gateway port;
//! only the sandbox's documented outcomes are a rule of the domain ([`sandbox`]).

mod checkout;
mod exchange;
mod payment;
mod promo;
mod refund;
pub mod sandbox;

pub use checkout::{CheckoutError, PointsRate, Quote, price_checkout};
pub use exchange::{Approximate, ExchangeRate, ExchangeRateError, approximate};
pub use payment::{Payment, PaymentError, PaymentProvider, PaymentStatus, Purchase, PurchaseKind};
pub use promo::{
    Discount, PROMO_CODE_LENGTH, PricedItem, PromoCode, PromoCodeError, PromoCodeText,
    PromoRefusal, PromoScope, PromoTerms, PromoUsage,
};
pub use refund::{
    MAX_REFUND_ATTEMPTS, REFUND_REASON_MAX, Refund, RefundError, RefundReason, RefundStatus,
};
