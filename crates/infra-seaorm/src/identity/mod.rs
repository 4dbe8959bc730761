//! Identity adapters: accounts, sign-in records, auth sessions, verification tokens,
//! specializations, declared certificates and billing addresses.
//!
//! Database guards for the identity rules (docs/domain-model.md, "Identity and accounts"):
//! - email, username and specialization name unique ignoring case: lower-cased copies
//!   under unique indexes (`ux_users_email`, `ux_users_username_key`,
//!   `ux_specializations_name_key`); phone unique (`ux_users_phone_number`);
//! - one billing address per user (`ux_billing_addresses_user_id`), one link per
//!   user and specialization (`ux_user_specializations_pair`);
//! - refresh-token rotation and verification-token use are single guarded updates;
//! - erasing a user cascades to everything only they own.

mod auth_sessions;
mod billing_addresses;
mod certificates;
pub(crate) mod entities;
mod login_history;
mod specializations;
mod user_rows;
mod users;
mod verification_tokens;

pub use auth_sessions::AuthSessionStore;
pub use billing_addresses::BillingAddressStore;
pub use certificates::CertificateStore;
pub use login_history::LoginAttemptStore;
pub use specializations::SpecializationStore;
pub use users::UserStore;
pub use verification_tokens::VerificationTokenStore;
