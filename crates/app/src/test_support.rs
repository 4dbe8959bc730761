//! Mocks of every port, for use-case tests.

use std::sync::Arc;

use lyceum_ports::community::{MockEventFeed, MockNotificationRepository};
use lyceum_ports::idempotency::MockIdempotencyKeyRepository;
use lyceum_ports::identity::*;
use lyceum_ports::mentoring::*;
use lyceum_ports::payments::MockPaymentGateway;
use lyceum_ports::system::*;
use lyceum_ports::wallet::MockWalletRepository;
use time::OffsetDateTime;
use time::macros::datetime;
use uuid::Uuid;

use lyceum_domain::identity::{Email, PersonName, Profile, Role, User, Username};
use lyceum_domain::mentoring::{
    Capacity, MeetingUrl, MentoringSession, Popularity, SessionDescription, SessionDuration,
    SessionStatus, SessionTitle,
};
use lyceum_domain::wallet::{Points, Wallet};
use lyceum_domain::{Currency, Money};

use crate::identity::Actor;
use crate::{Lyceum, Ports, Settings};

pub(crate) const NOW: OffsetDateTime = datetime!(2026-11-22 10:00 UTC);

pub(crate) struct Mocks {
    pub(crate) users: MockUserRepository,
    pub(crate) login_history: MockLoginAttemptRepository,
    pub(crate) auth_sessions: MockAuthSessionRepository,
    pub(crate) verification_tokens: MockVerificationTokenRepository,
    pub(crate) specializations: MockSpecializationRepository,
    pub(crate) certificates: MockCertificateRepository,
    pub(crate) billing_addresses: MockBillingAddressRepository,
    pub(crate) wallets: MockWalletRepository,
    pub(crate) hasher: MockPasswordHasher,
    pub(crate) access_tokens: MockAccessTokens,
    pub(crate) sessions: MockMentoringSessionRepository,
    pub(crate) bookings: MockBookingRepository,
    pub(crate) requests: MockMentorshipRequestRepository,
    pub(crate) availability: MockAvailabilityRepository,
    pub(crate) messages: MockMessageRepository,
    pub(crate) feedbacks: MockFeedbackRepository,
    pub(crate) calendar_feeds: MockCalendarFeedRepository,
    pub(crate) notifications: MockNotificationRepository,
    pub(crate) events: MockEventFeed,
    pub(crate) payments: MockPaymentGateway,
    pub(crate) idempotency_keys: MockIdempotencyKeyRepository,
}

impl Mocks {
    pub(crate) fn new() -> Self {
        Self {
            users: MockUserRepository::new(),
            login_history: MockLoginAttemptRepository::new(),
            auth_sessions: MockAuthSessionRepository::new(),
            verification_tokens: MockVerificationTokenRepository::new(),
            specializations: MockSpecializationRepository::new(),
            certificates: MockCertificateRepository::new(),
            billing_addresses: MockBillingAddressRepository::new(),
            wallets: MockWalletRepository::new(),
            hasher: MockPasswordHasher::new(),
            access_tokens: MockAccessTokens::new(),
            sessions: MockMentoringSessionRepository::new(),
            bookings: MockBookingRepository::new(),
            requests: MockMentorshipRequestRepository::new(),
            availability: MockAvailabilityRepository::new(),
            messages: MockMessageRepository::new(),
            feedbacks: MockFeedbackRepository::new(),
            calendar_feeds: MockCalendarFeedRepository::new(),
            notifications: MockNotificationRepository::new(),
            events: MockEventFeed::new(),
            payments: MockPaymentGateway::new(),
            idempotency_keys: MockIdempotencyKeyRepository::new(),
        }
    }

    pub(crate) fn build(self) -> Lyceum {
        let mut clock = MockClock::new();
        clock.expect_now().return_const(NOW);
        let mut ids = MockIdGenerator::new();
        ids.expect_new_id().returning(Uuid::now_v7);
        let mut secrets = MockSecretMinter::new();
        secrets.expect_mint().returning(|| MintedSecret {
            plain: "plain-secret".into(),
            digest: "digest".into(),
        });
        secrets
            .expect_digest()
            .returning(|plain| format!("digest-of-{plain}"));
        Lyceum::new(
            Ports {
                users: Arc::new(self.users),
                login_history: Arc::new(self.login_history),
                auth_sessions: Arc::new(self.auth_sessions),
                verification_tokens: Arc::new(self.verification_tokens),
                specializations: Arc::new(self.specializations),
                certificates: Arc::new(self.certificates),
                billing_addresses: Arc::new(self.billing_addresses),
                wallets: Arc::new(self.wallets),
                clock: Arc::new(clock),
                ids: Arc::new(ids),
                hasher: Arc::new(self.hasher),
                access_tokens: Arc::new(self.access_tokens),
                secrets: Arc::new(secrets),
                sessions: Arc::new(self.sessions),
                bookings: Arc::new(self.bookings),
                requests: Arc::new(self.requests),
                availability: Arc::new(self.availability),
                messages: Arc::new(self.messages),
                feedbacks: Arc::new(self.feedbacks),
                calendar_feeds: Arc::new(self.calendar_feeds),
                notifications: Arc::new(self.notifications),
                events: Arc::new(self.events),
                payments: Arc::new(self.payments),
                idempotency_keys: Arc::new(self.idempotency_keys),
            },
            Settings::default(),
        )
    }
}

/// An active account holding `roles`, with a fresh id.
pub(crate) fn user(roles: &[Role]) -> User {
    User {
        id: Uuid::now_v7(),
        email: Email::parse("asha@example.com").unwrap(),
        username: Username::parse("ashakumar").unwrap(),
        phone_number: None,
        first_name: PersonName::parse("Asha").unwrap(),
        last_name: PersonName::parse("Kumar").unwrap(),
        roles: roles.iter().copied().collect(),
        is_active: true,
        email_verified: false,
        last_login_at: None,
        ban: None,
        failed_login_count: 0,
        locked_until: None,
        deleted_at: None,
        profile: Profile::default(),
        created_at: NOW,
        updated_at: NOW,
    }
}

/// A signed-in caller holding `roles`.
pub(crate) fn actor(roles: &[Role]) -> Actor {
    Actor {
        user: user(roles),
        session_id: Uuid::now_v7(),
    }
}

/// A stand-in for an adapter's rendering: the outcome's debug text, so tests can tell
/// which outcome was kept.
pub(crate) fn render_debug<T: std::fmt::Debug>(
    outcome: &Result<T, crate::AppError>,
) -> crate::idempotency::Rendering {
    let text = format!("{outcome:?}");
    Box::pin(async move { Ok(lyceum_ports::idempotency::StoredResponse(text)) })
}

/// A client's key with its request's fingerprint, rendered by `render`.
pub(crate) fn keyed<'r, T>(
    key: &str,
    fingerprint: &str,
    render: &'r crate::idempotency::Render<'r, T>,
) -> crate::idempotency::Keyed<'r, T> {
    crate::idempotency::Keyed {
        request: lyceum_ports::idempotency::IdempotentRequest {
            key: lyceum_ports::idempotency::IdempotencyKey::parse(key).unwrap(),
            fingerprint: fingerprint.into(),
        },
        render,
    }
}

/// A scheduled session of `mentor_id` three days ahead, priced `price` (minor units, INR).
pub(crate) fn session(mentor_id: Uuid, price: i64, capacity: i64, taken: u32) -> MentoringSession {
    MentoringSession {
        id: Uuid::now_v7(),
        mentor_id,
        title: SessionTitle::parse("Rust ownership").unwrap(),
        description: SessionDescription::default(),
        specialization_id: None,
        duration: SessionDuration::minutes(60).unwrap(),
        price: Money::new(price, Currency::parse("INR").unwrap()).unwrap(),
        capacity: Capacity::new(capacity).unwrap(),
        seats_taken: taken,
        starts_at: NOW + time::Duration::days(3),
        meeting_url: MeetingUrl::parse("https://meet.example/x").unwrap(),
        status: SessionStatus::Scheduled,
        request_id: None,
        popularity: Popularity::default(),
        created_at: NOW,
        updated_at: NOW,
    }
}

/// A wallet of `user_id` holding `balance` points.
pub(crate) fn wallet_of(user_id: Uuid, balance: i64) -> Wallet {
    Wallet {
        user_id,
        balance: Points::new(balance).unwrap(),
        created_at: NOW,
        updated_at: NOW,
    }
}
