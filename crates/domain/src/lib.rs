//! Lyceum's domain: the entities, value objects and rules of a platform that does live
//! mentoring and self-paced courses in one product.
//!
//! This crate is pure on purpose: no clock, no database, no network. Other Rust services
//! link it to speak the same language as the Lyceum server, and every rule here can be
//! tested deterministically because time and ids come in as arguments.
//!
//! Values that carry rules are newtypes with fallible constructors (`Email::parse`,
//! `Username::parse`, `Points::new`): once you hold one, it is valid.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod community;
pub mod identity;
pub mod mentoring;
pub mod money;
pub mod validation;
pub mod wallet;

pub use money::{Currency, Money};
pub use validation::{FieldError, FieldErrors};
