//! Identity and accounts use cases: registration, sign-in with rotating refresh tokens,
//! email verification and password reset, profiles, admin moderation, specializations,
//! declared certificates and billing addresses.
//!
//! Seed rules enforced here (values are checked by the domain types):
//! - registration picks `learner` or `mentor`; `admin` is only granted by an admin or the
//!   `create-admin` command;
//! - five consecutive failed sign-ins lock the account for fifteen minutes; bans refuse
//!   sign-in until they expire; every attempt is recorded;
//! - refresh tokens rotate, and presenting a rotated one revokes its whole session;
//! - admin rights are read from the database on every request, never from the token.

mod account;
mod actor;
mod admin;
mod catalogue;
mod error;
mod recovery;
mod registration;
mod sign_in;

pub use account::{AccountExport, ProfilePatch, PublicProfile};
pub use actor::Actor;
pub use admin::BanInput;
pub use catalogue::{BillingAddressInput, CertificateInput};
pub use error::IdentityError;
pub use registration::RegistrationInput;
pub use sign_in::{ClientInfo, TokenPair};

#[cfg(test)]
mod tests;
