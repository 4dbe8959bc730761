//! Lyceum's domain: the entities, value objects and rules of a platform that does live
//! mentoring and self-paced courses in one product, with one identity and one points
//! economy.
//!
//! This crate is pure on purpose: no clock, no database, no network, no async runtime.
//! The Lyceum server is built around it, and other Rust services link it to speak the
//! same language and apply the same rules — a booking service, a reporting job, an
//! importer. Because the current time and new ids always come in as arguments, every rule
//! is deterministic and can be tested without mocks.
//!
//! # Contexts
//!
//! One module per bounded context, plus a small shared kernel:
//!
//! | module | what it holds |
//! |---|---|
//! | [`identity`] | accounts: [`Email`](identity::Email), [`Username`](identity::Username), [`Password`](identity::Password), roles, users and who may act ([`User::refusal`](identity::User::refusal)), account lockout, profiles, specializations, declared certificates, billing addresses |
//! | [`wallet`] | the points wallet: [`Points`](wallet::Points), [`Wallet::balance_after`](wallet::Wallet::balance_after) (never below zero), admin [`Adjustment`](wallet::Adjustment)s and ledger entries |
//! | [`mentoring`] | mentoring sessions with capacity and status, bookings ([`check_booking`](mentoring::check_booking), cancellation, rescheduling), mentorship requests and their state machine, weekly [`availability`](mentoring::availability) expanded into free UTC slots, messages, feedback and ratings |
//! | [`payments`] | one payment ledger for every purchase: [`Payment`](payments::Payment)s and their state machine, what a checkout charges ([`price_checkout`](payments::price_checkout): price − promo discount − points), [`PromoCode`](payments::PromoCode)s with every reason they may not apply, [`Refund`](payments::Refund)s that never exceed what was paid and back off when they fail, the sandbox provider's documented outcomes |
//! | [`community`] | notifications |
//! | [`money`], [`validation`] | [`Money`] in integer minor units with a [`Currency`]; [`FieldErrors`] that report every invalid field at once, each with a [`Violation`] code; the one character rule for free text, single-line or multi-line ([`validation::text`]) |
//!
//! The rules, the state machines and the product each rule comes from are described in
//! `docs/domain-model.md` in the Lyceum repository.
//!
//! # Parse, don't validate
//!
//! A value that carries a rule is a newtype with a private field and a fallible
//! constructor (`Email::parse`, `Username::parse`, `Points::new`, `Capacity::new`,
//! `SessionDuration::minutes`, `Adjustment::new`). Once you hold one, it is valid, and
//! nothing downstream checks it again. Rules about state are methods that return the
//! result or a typed error carrying the facts (`SessionFull { capacity }`,
//! `InsufficientPoints { balance, requested }`), never prose to parse. Each context has
//! its own error enum; their `Display` texts are written for the person who sent the
//! value.
//!
//! # Example
//!
//! Parse what a person typed, deduct points from a wallet, and take a seat in a session:
//!
//! ```
//! use lyceum_domain::identity::{Email, Username, ValueError};
//! use lyceum_domain::mentoring::{
//!     BookingError, BookingStatus, Capacity, MeetingUrl, MentoringSession, PaymentStatus,
//!     Popularity, SessionDescription, SessionDuration, SessionStatus, SessionTitle, check_booking,
//! };
//! use lyceum_domain::wallet::{Adjustment, AdjustmentDirection, Points, Wallet, WalletError};
//! use lyceum_domain::{Currency, Money};
//! use time::{Duration, OffsetDateTime};
//! use uuid::Uuid;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // Values are parsed once, at the edge.
//! let email = Email::parse("  Asha@Example.COM ")?;
//! assert_eq!(email.as_str(), "asha@example.com"); // stored lower-cased
//! let username = Username::parse("ashakumar")?;
//! assert_eq!(username.as_str(), "ashakumar");
//! assert_eq!(Username::parse("7samurai"), Err(ValueError::Username)); // starts with a digit
//!
//! // The domain never reads the clock: `now` is an argument.
//! let now = OffsetDateTime::from_unix_timestamp(1_800_000_000)?;
//!
//! // A wallet never goes below zero.
//! let wallet = Wallet {
//!     user_id: Uuid::from_u128(1),
//!     balance: Points::new(10)?,
//!     created_at: now,
//!     updated_at: now,
//! };
//! let fee = Adjustment::new(AdjustmentDirection::Deduct, 4, "early unlock")?;
//! assert_eq!(wallet.balance_after(fee.delta())?, Points::new(6)?);
//! let too_much = Adjustment::new(AdjustmentDirection::Deduct, 25, "bulk unlock")?;
//! let refused = wallet.balance_after(too_much.delta()).unwrap_err();
//! assert_eq!(refused, WalletError::InsufficientPoints { balance: 10, requested: 25 });
//! assert_eq!(refused.to_string(), "insufficient points: balance 10, requested 25");
//!
//! // A free one-to-one session whose only seat is taken.
//! let mentor = Uuid::from_u128(2);
//! let mut session = MentoringSession {
//!     id: Uuid::from_u128(3),
//!     mentor_id: mentor,
//!     title: SessionTitle::parse("Ownership in Rust")?,
//!     description: SessionDescription::default(),
//!     specialization_id: None,
//!     duration: SessionDuration::minutes(60)?,
//!     price: Money::new(0, Currency::parse("INR")?)?,
//!     capacity: Capacity::new(1)?,
//!     seats_taken: 1,
//!     starts_at: now + Duration::days(2),
//!     meeting_url: MeetingUrl::parse("https://meet.example.com/ownership")?,
//!     status: SessionStatus::Scheduled,
//!     request_id: None,
//!     popularity: Popularity::default(),
//!     created_at: now,
//!     updated_at: now,
//! };
//! let learner = Uuid::from_u128(4);
//! let hold = Duration::minutes(15);
//! assert_eq!(
//!     check_booking(&session, learner, now, hold),
//!     Err(BookingError::SessionFull { capacity: 1 })
//! );
//!
//! // The mentor makes room: capacity never drops below the seats already taken.
//! session.capacity = session.check_capacity(Capacity::new(3)?)?;
//! let start = check_booking(&session, learner, now, hold)?;
//! assert_eq!(start.status, BookingStatus::Confirmed); // free: confirmed at once
//! assert_eq!(start.payment_status, PaymentStatus::Paid);
//! assert_eq!(
//!     check_booking(&session, mentor, now, hold),
//!     Err(BookingError::OwnSession)
//! );
//! # Ok(())
//! # }
//! ```
//!
//! The server repeats the capacity and balance checks inside its database writes, so they
//! hold under concurrent requests too; this crate gives the clear, typed answer first.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod community;
pub mod identity;
pub mod mentoring;
pub mod money;
pub mod payments;
pub mod validation;
pub mod wallet;

pub use money::{Currency, Money};
pub use validation::{FieldError, FieldErrors, FieldRule, Violation};
