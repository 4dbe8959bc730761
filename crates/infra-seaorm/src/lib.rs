//! SeaORM adapters implementing Lyceum's repository ports on SQLite and PostgreSQL.
//!
//! [`Database`] owns the pool and the write-transaction rule (`BEGIN IMMEDIATE` on
//! SQLite); each store wraps it and implements one port. Database failures become port
//! errors here, at the boundary: no SeaORM type crosses a port.
#![forbid(unsafe_code)]

pub mod community;
mod database;
mod guarded_write;
mod idempotency;
pub mod identity;
pub mod live;
pub mod mentoring;
mod outbox;
mod pagination;
#[cfg(feature = "testing")]
pub mod testing;
pub mod wallet;

pub use community::NotificationStore;
pub use database::{Backend, Database, DbError, DbSettings};
pub use idempotency::IdempotencyKeyStore;
pub use identity::{
    AuthSessionStore, BillingAddressStore, CertificateStore, LoginAttemptStore,
    SpecializationStore, UserStore, VerificationTokenStore,
};
pub use live::LiveFeed;
pub use mentoring::{
    AvailabilityStore, BookingStore, CalendarFeedStore, FeedbackStore, MentoringSessionStore,
    MentorshipRequestStore, MessageStore,
};
pub use outbox::{OutboxMail, OutboxMailer};
pub use wallet::WalletStore;
