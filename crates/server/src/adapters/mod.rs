//! Adapters for the ports that are not database repositories: clock and ids, argon2id
//! password hashing, JWT access tokens, opaque secrets, and the mail relay (SMTP).

mod crypto;
mod mail;
mod payments;
mod system;

pub use crypto::{Argon2Hasher, JwtAccessTokens, JwtSettings, Sha256Secrets};
pub use mail::{MailError, MailRelay, RelayReport, worded};
pub use payments::SandboxPayments;
pub use system::{SystemClock, UuidV7Ids};
