//! The ports of Lyceum: what the use cases need from the outside world, in the domain's
//! words. Adapters (SeaORM, argon2, JWT, SMTP) implement them; the `app` crate only ever
//! sees these traits, so every use case can be tested with mocks (`mocks` feature).
//!
//! Operations that must be atomic under concurrency are single methods
//! (`append_ledger_entry`, `rotate_refresh_token`), so that an adapter can make each one
//! transaction guarded by the database.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod community;
mod error;
pub mod idempotency;
pub mod identity;
pub mod mentoring;
pub mod outbox;
mod page;
pub mod payments;
pub mod system;
pub mod wallet;

pub use error::{Cause, Conflict, RepoError};
pub use page::{Page, PageRequest};
