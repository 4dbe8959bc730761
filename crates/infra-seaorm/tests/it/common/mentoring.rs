//! Fixtures of the mentoring adapter tests.

use lyceum_ports::outbox::Outbox;
use std::time::Duration as StdDuration;

use lyceum_domain::mentoring::{
    Booking, BookingStatus, Capacity, MentoringSession, PaymentStatus, Popularity,
    SessionDescription, SessionDuration, SessionStatus, SessionTitle, generated_meeting_url,
};
use lyceum_domain::{Currency, Money};
use lyceum_infra_seaorm::testing::TestDb;
use lyceum_infra_seaorm::{Database, DbSettings, UserStore};
use lyceum_ports::mentoring::{BookingRepository, ReserveOutcome};
use sea_orm::{ConnectionTrait, Statement};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::{NOW, registered};

pub fn inr(amount_minor: i64) -> Money {
    Money::new(amount_minor, Currency::parse("INR").unwrap()).unwrap()
}

/// A scheduled session of `mentor_id` starting `starts_in` after [`NOW`].
pub fn session(
    mentor_id: Uuid,
    capacity: i64,
    price: i64,
    starts_in: Duration,
) -> MentoringSession {
    let id = Uuid::now_v7();
    MentoringSession {
        id,
        mentor_id,
        title: SessionTitle::parse("Ownership and borrowing").unwrap(),
        description: SessionDescription::parse("A live walk-through").unwrap(),
        specialization_id: None,
        duration: SessionDuration::minutes(60).unwrap(),
        price: inr(price),
        capacity: Capacity::new(capacity).unwrap(),
        seats_taken: 0,
        starts_at: NOW + starts_in,
        meeting_url: generated_meeting_url(id),
        status: SessionStatus::Scheduled,
        request_id: None,
        popularity: Popularity::default(),
        created_at: NOW,
        updated_at: NOW,
    }
}

/// A confirmed, paid booking (free-session shape) of `learner_id` in `session`.
pub fn booking(session: &MentoringSession, learner_id: Uuid) -> Booking {
    Booking {
        id: Uuid::now_v7(),
        session_id: session.id,
        learner_id,
        status: BookingStatus::Confirmed,
        payment_status: PaymentStatus::Paid,
        amount: session.price,
        hold_expires_at: None,
        payment_reference: None,
        cancelled_by: None,
        cancellation_reason: None,
        created_at: NOW,
        updated_at: NOW,
    }
}

/// A pending booking whose hold ends at `hold_until`.
pub fn held(session: &MentoringSession, learner_id: Uuid, hold_until: OffsetDateTime) -> Booking {
    Booking {
        status: BookingStatus::Pending,
        payment_status: PaymentStatus::Pending,
        hold_expires_at: Some(hold_until),
        ..booking(session, learner_id)
    }
}

/// `count` registered users, numbered from `first`.
pub async fn users(db: &Database, first: u32, count: u32) -> Vec<Uuid> {
    let store = UserStore::new(db);
    let mut ids = Vec::new();
    for n in first..first + count {
        ids.push(registered(&store, n).await.id);
    }
    ids
}

pub async fn reserve(bookings: &impl BookingRepository, booking: Booking) -> Booking {
    match bookings
        .reserve_seat(booking, None, NOW, Outbox::empty())
        .await
        .unwrap()
    {
        ReserveOutcome::Created(booking) => booking,
        other => panic!("expected Created, got {other:?}"),
    }
}

/// A second pool on the same database, wide enough for truly concurrent writers.
pub async fn wide_pool(t: &TestDb) -> Database {
    Database::connect(&DbSettings {
        url: t.url.clone(),
        max_connections: 16,
        busy_timeout: StdDuration::from_secs(10),
    })
    .await
    .unwrap()
}

async fn scalar(db: &Database, sql: &str, id: Uuid) -> i64 {
    let conn = db.connection();
    conn.query_one_raw(Statement::from_sql_and_values(
        conn.get_database_backend(),
        sql,
        [id.into()],
    ))
    .await
    .unwrap()
    .unwrap()
    .try_get::<i64>("", "n")
    .unwrap()
}

/// The stored seat counter of a session.
pub async fn seats_taken(db: &Database, session_id: Uuid) -> i64 {
    scalar(
        db,
        "SELECT CAST(seats_taken AS BIGINT) AS n FROM mentoring_sessions WHERE id = $1",
        session_id,
    )
    .await
}

/// How many pending or confirmed bookings a session has.
pub async fn live_bookings(db: &Database, session_id: Uuid) -> i64 {
    scalar(
        db,
        "SELECT COUNT(*) AS n FROM bookings WHERE session_id = $1 \
         AND status IN ('pending', 'confirmed')",
        session_id,
    )
    .await
}

/// Asserts the seat invariant: the counter equals the live bookings.
pub async fn assert_seats_consistent(db: &Database, session_id: Uuid) {
    assert_eq!(
        seats_taken(db, session_id).await,
        live_bookings(db, session_id).await,
        "seats_taken must equal the live bookings of {session_id}"
    );
}
