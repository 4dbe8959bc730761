//! Lyceum's use cases. Each one authorizes the caller, loads what it needs through the
//! ports, applies the domain's rules and persists the result. Authorization lives here,
//! not in HTTP handlers, so every adapter (HTTP today, a CLI or a queue tomorrow) gets
//! the same checks.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod community;
pub mod counters;
mod error;
pub mod idempotency;
pub mod identity;
mod lyceum;
pub mod mentoring;
#[cfg(test)]
mod test_support;
pub mod wallet;
pub use wallet::AdjustmentResult;

pub use error::{AppError, IdempotencyError, Resource};
pub use lyceum::{Lyceum, Ports, Settings};
pub use lyceum_ports::{Page, PageRequest};
