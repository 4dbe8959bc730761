//! Fixtures shared by the adapter tests.

use lyceum_domain::identity::{Email, PersonName, PhoneNumber, Role, Roles, User, Username};
use lyceum_infra_seaorm::UserStore;
use lyceum_ports::identity::{NewUser, UserRepository};
use lyceum_ports::outbox::Outbox;
use time::OffsetDateTime;
use time::macros::datetime;
use uuid::Uuid;

/// A fixed, whole-second "now": the adapters take time as an argument.
pub const NOW: OffsetDateTime = datetime!(2026-03-01 10:00:00 UTC);

/// An account to register; `n` makes email, username and phone distinct.
pub fn new_user(n: u32) -> NewUser {
    NewUser {
        id: Uuid::now_v7(),
        email: Email::parse(&format!("member{n}@example.com")).unwrap(),
        username: Username::parse(&format!("Member{n:04}")).unwrap(),
        phone_number: None,
        first_name: PersonName::parse("Asha").unwrap(),
        last_name: PersonName::parse(&format!("Kumar{n}")).unwrap(),
        roles: Roles::single(Role::Learner),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".to_owned(),
        created_at: NOW,
    }
}

pub fn with_phone(mut user: NewUser, phone: &str) -> NewUser {
    user.phone_number = Some(PhoneNumber::parse(phone).unwrap());
    user
}

pub async fn registered(users: &UserStore, n: u32) -> User {
    users
        .register(new_user(n), None, Outbox::empty())
        .await
        .unwrap()
}

pub mod mentoring;

/// Notices for nobody: for changes whose bookings' notices a test does not look at.
pub fn untold() -> lyceum_ports::outbox::BookingNotices {
    Box::new(|_| Vec::new())
}
