//! The application service: the ports it was wired with and the settings that shape its
//! rules. Use cases are methods on [`Lyceum`], grouped by context in their own modules.

use std::sync::Arc;

use lyceum_domain::identity::LockoutPolicy;
use lyceum_ports::community::{EventFeed, NotificationRepository};
use lyceum_ports::idempotency::IdempotencyKeyRepository;
use lyceum_ports::identity::{
    AuthSessionRepository, BillingAddressRepository, CertificateRepository, LoginAttemptRepository,
    SpecializationRepository, UserRepository, VerificationTokenRepository,
};
use lyceum_ports::mentoring::{
    AvailabilityRepository, BookingRepository, CalendarFeedRepository, FeedbackRepository,
    MentoringSessionRepository, MentorshipRequestRepository, MessageRepository,
};
use lyceum_ports::payments::PaymentGateway;
use lyceum_ports::system::{AccessTokens, Clock, IdGenerator, PasswordHasher, SecretMinter};
use lyceum_ports::wallet::WalletRepository;
use time::Duration;

/// Everything outside the application that use cases talk to.
#[derive(Clone)]
pub struct Ports {
    /// Accounts.
    pub users: Arc<dyn UserRepository>,
    /// Sign-in attempts.
    pub login_history: Arc<dyn LoginAttemptRepository>,
    /// Signed-in devices and refresh tokens.
    pub auth_sessions: Arc<dyn AuthSessionRepository>,
    /// Email verification and password reset tokens.
    pub verification_tokens: Arc<dyn VerificationTokenRepository>,
    /// Specializations.
    pub specializations: Arc<dyn SpecializationRepository>,
    /// Declared certificates.
    pub certificates: Arc<dyn CertificateRepository>,
    /// Billing addresses.
    pub billing_addresses: Arc<dyn BillingAddressRepository>,
    /// Wallets and ledgers.
    pub wallets: Arc<dyn WalletRepository>,
    /// Mentoring sessions.
    pub sessions: Arc<dyn MentoringSessionRepository>,
    /// Bookings.
    pub bookings: Arc<dyn BookingRepository>,
    /// Mentorship requests.
    pub requests: Arc<dyn MentorshipRequestRepository>,
    /// Mentors' availability.
    pub availability: Arc<dyn AvailabilityRepository>,
    /// Direct messages.
    pub messages: Arc<dyn MessageRepository>,
    /// Feedback and ratings.
    pub feedbacks: Arc<dyn FeedbackRepository>,
    /// Secret calendar feed URLs.
    pub calendar_feeds: Arc<dyn CalendarFeedRepository>,
    /// Notifications.
    pub notifications: Arc<dyn NotificationRepository>,
    /// Live events for open streams.
    pub events: Arc<dyn EventFeed>,
    /// Charges and refunds.
    pub payments: Arc<dyn PaymentGateway>,
    /// Idempotency-key housekeeping.
    pub idempotency_keys: Arc<dyn IdempotencyKeyRepository>,
    /// Time.
    pub clock: Arc<dyn Clock>,
    /// Ids.
    pub ids: Arc<dyn IdGenerator>,
    /// Password hashing.
    pub hasher: Arc<dyn PasswordHasher>,
    /// Access tokens.
    pub access_tokens: Arc<dyn AccessTokens>,
    /// Opaque secrets.
    pub secrets: Arc<dyn SecretMinter>,
}

/// Rules that differ per deployment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// When failed sign-ins lock an account.
    pub lockout: LockoutPolicy,
    /// How long a refresh token (and so a signed-in device) lives without use.
    pub refresh_token_ttl: Duration,
    /// How long an email verification link works.
    pub email_verification_ttl: Duration,
    /// How long a password reset link works.
    pub password_reset_ttl: Duration,
    /// How long a pending booking of a paid session holds its seat awaiting payment.
    pub booking_hold: Duration,
    /// Learners may cancel their booking until this long before the start.
    pub learner_cancellation_cutoff: Duration,
    /// Currency of the free 1:1 sessions created by accepting a mentorship request.
    pub default_currency: String,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            lockout: LockoutPolicy::default(),
            refresh_token_ttl: Duration::days(30),
            email_verification_ttl: Duration::hours(48),
            password_reset_ttl: Duration::hours(1),
            booking_hold: Duration::minutes(15),
            learner_cancellation_cutoff: Duration::hours(2),
            default_currency: "INR".into(),
        }
    }
}

/// The application: one value, cheap to clone, shared by every request.
#[derive(Clone)]
pub struct Lyceum {
    pub(crate) ports: Ports,
    pub(crate) settings: Settings,
    /// Session views counted but not yet written (see [`crate::counters`]).
    pub(crate) session_views: crate::counters::PendingCounts<uuid::Uuid>,
}

impl Lyceum {
    /// Wires the application to its ports.
    pub fn new(ports: Ports, settings: Settings) -> Self {
        Self {
            ports,
            settings,
            session_views: Default::default(),
        }
    }

    /// The settings in force (the HTTP layer reports some of them, such as token lifetimes).
    pub fn settings(&self) -> &Settings {
        &self.settings
    }
}
