//! Identity and accounts.
//!
//! Seed rules implemented here (what the seeds are: docs/domain-model.md):
//! - Explaino: email unique and the login; username unique ignoring case, 8–16 characters,
//!   starting with a letter; phone unique, `+` and 7–15 digits; predefined specializations
//!   with unique names; user-declared certificates with a valid URL, public.
//! - Mentori / PeerLearn: password of at least 8 characters with upper, lower and digit;
//!   profiles with mentor and mentee sides (expertise, interests, goals).
//! - Edupeak: one billing address per user; login history; sessions and verification
//!   tokens (hashed, single use, expiring).
//! - MedicalEdu: account locking after repeated failed logins; bans with expiry.

mod account;
mod billing_address;
mod certificate;
mod login;
mod profile;
mod role;
mod specialization;
mod user;

pub use account::{Email, Password, PersonName, PhoneNumber, Username, ValueError};
pub use billing_address::{BillingAddress, BillingAddressDetails, RawBillingAddress};
pub use certificate::{CertificateDetails, UserCertificate};
pub use login::{LockoutPolicy, LoginRefusal};
pub use profile::{
    ExperienceLevel, Keywords, MultiLineText, Profile, ProfileError, SingleLineText, SocialLinks,
    Timezone, WebUrl,
};
pub use role::{Role, Roles, UnknownRole};
pub use specialization::{PREDEFINED_SPECIALIZATIONS, Specialization, SpecializationName};
pub use user::{Ban, User};
