//! HTTP operations of the identity context (tag `Identity`): sign-up and sign-in,
//! tokens, my account, public profiles and the mentor directory, specializations,
//! certificates, billing addresses and admin moderation.

mod account;
mod admin;
mod auth;
mod catalogue;
pub mod dto;

pub use account::AccountApi;
pub use admin::AdminApi;
pub use auth::AuthApi;
pub use catalogue::CatalogueApi;
