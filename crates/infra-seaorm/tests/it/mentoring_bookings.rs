//! Bookings: the seat guard, duplicates, concurrency, cancellation, rescheduling, holds.

use crate::common::untold;
use lyceum_domain::community::{Notification, NotificationKind, Subject, SubjectKind};
use lyceum_domain::mentoring::{BookingStatus, CancellationReason, PaymentStatus};
use lyceum_infra_seaorm::testing::on_each_backend;
use lyceum_infra_seaorm::{BookingStore, MentoringSessionStore, NotificationStore};
use lyceum_ports::community::NotificationRepository;
use lyceum_ports::idempotency::IdempotencyClaim;
use lyceum_ports::mentoring::{
    BookingFilter, BookingRepository, MentoringSessionRepository, ReserveOutcome,
};
use lyceum_ports::outbox::{Notice, Outbox};
use lyceum_ports::{Conflict, PageRequest, RepoError};
use time::Duration;
use uuid::Uuid;

use crate::common::NOW;
use crate::common::mentoring::{
    assert_seats_consistent, booking, held, live_bookings, reserve, seats_taken, session, users,
    wide_pool,
};

fn conflict(c: Conflict) -> RepoError {
    RepoError::Conflict(c)
}

#[tokio::test]
async fn a_seat_is_taken_once_per_learner_and_only_in_future_scheduled_sessions() {
    on_each_backend(|t| async move {
        let db = &t.database;
        let ids = users(db, 1, 3).await;
        let (mentor, learner, other) = (ids[0], ids[1], ids[2]);
        let sessions = MentoringSessionStore::new(db);
        let bookings = BookingStore::new(db);
        let s = sessions
            .create(session(mentor, 3, 0, Duration::days(1)))
            .await
            .unwrap();

        let first = reserve(&bookings, booking(&s, learner)).await;
        assert_eq!(bookings.by_id(first.id).await.unwrap(), Some(first.clone()));
        assert_eq!(
            bookings
                .reserve_seat(booking(&s, learner), None, NOW, Outbox::empty())
                .await,
            Err(conflict(Conflict::BookingDuplicate))
        );
        // The refused duplicate gave its seat back with the rolled-back transaction.
        assert_eq!(seats_taken(db, s.id).await, 1);
        let stored = sessions.by_id(s.id).await.unwrap().unwrap();
        assert_eq!((stored.seats_taken, stored.popularity.bookings), (1, 1));

        let past = sessions
            .create(session(mentor, 3, 0, Duration::hours(1)))
            .await
            .unwrap();
        let late = NOW + Duration::hours(2);
        assert_eq!(
            bookings
                .reserve_seat(booking(&past, other), None, late, Outbox::empty())
                .await,
            Err(conflict(Conflict::SessionNotBookable))
        );
        let mut missing = booking(&s, other);
        missing.session_id = Uuid::now_v7();
        assert_eq!(
            bookings
                .reserve_seat(missing, None, NOW, Outbox::empty())
                .await,
            Err(RepoError::NotFound)
        );

        // Cancelled bookings are history: the learner may book again.
        bookings
            .cancel(
                first.id,
                learner,
                None,
                PaymentStatus::Refunded,
                NOW,
                Outbox::empty(),
            )
            .await
            .unwrap();
        reserve(&bookings, booking(&s, learner)).await;
        assert_seats_consistent(db, s.id).await;
    })
    .await;
}

#[tokio::test]
async fn a_full_session_refuses_and_a_cancellation_frees_the_seat() {
    on_each_backend(|t| async move {
        let db = &t.database;
        let ids = users(db, 1, 4).await;
        let sessions = MentoringSessionStore::new(db);
        let bookings = BookingStore::new(db);
        let s = sessions
            .create(session(ids[0], 2, 0, Duration::days(1)))
            .await
            .unwrap();
        let a = reserve(&bookings, booking(&s, ids[1])).await;
        reserve(&bookings, booking(&s, ids[2])).await;
        assert_eq!(
            bookings
                .reserve_seat(booking(&s, ids[3]), None, NOW, Outbox::empty())
                .await,
            Err(conflict(Conflict::SessionFull))
        );

        let later = NOW + Duration::minutes(5);
        let cancelled = bookings
            .cancel(
                a.id,
                ids[1],
                CancellationReason::parse("changed plans").unwrap(),
                PaymentStatus::Refunded,
                later,
                Outbox::empty(),
            )
            .await
            .unwrap();
        assert_eq!(cancelled.status, BookingStatus::Cancelled);
        assert_eq!(cancelled.payment_status, PaymentStatus::Refunded);
        assert_eq!(cancelled.cancelled_by, Some(ids[1]));
        assert_eq!(
            cancelled.cancellation_reason.as_deref(),
            Some("changed plans")
        );
        assert_eq!(cancelled.updated_at, later);
        assert_eq!(
            bookings
                .cancel(
                    a.id,
                    ids[1],
                    None,
                    PaymentStatus::Refunded,
                    later,
                    Outbox::empty()
                )
                .await,
            Err(conflict(Conflict::StaleState))
        );
        assert_eq!(
            bookings
                .cancel(
                    Uuid::now_v7(),
                    ids[1],
                    None,
                    PaymentStatus::Refunded,
                    later,
                    Outbox::empty()
                )
                .await,
            Err(RepoError::NotFound)
        );
        reserve(&bookings, booking(&s, ids[3])).await;
        assert_eq!(seats_taken(db, s.id).await, 2);
        assert_seats_consistent(db, s.id).await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_simultaneous_reservations_fill_exactly_the_capacity() {
    on_each_backend(|t| async move {
        let ids = users(&t.database, 1, 101).await;
        let s = MentoringSessionStore::new(&t.database)
            .create(session(ids[0], 5, 0, Duration::days(1)))
            .await
            .unwrap();
        let pool = wide_pool(&t).await;
        let bookings = BookingStore::new(&pool);
        let tasks: Vec<_> = ids[1..]
            .iter()
            .map(|learner| {
                let bookings = bookings.clone();
                let b = booking(&s, *learner);
                tokio::spawn(
                    async move { bookings.reserve_seat(b, None, NOW, Outbox::empty()).await },
                )
            })
            .collect();
        let (mut created, mut full) = (0, 0);
        for task in tasks {
            match task.await.unwrap() {
                Ok(ReserveOutcome::Created(_)) => created += 1,
                Err(RepoError::Conflict(Conflict::SessionFull)) => full += 1,
                other => panic!("unexpected outcome {other:?}"),
            }
        }
        assert_eq!((created, full), (5, 95));
        assert_eq!(seats_taken(&pool, s.id).await, 5);
        assert_eq!(live_bookings(&pool, s.id).await, 5);
        pool.close().await.unwrap();
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simultaneous_reschedules_into_the_last_seat_move_exactly_one_booking() {
    on_each_backend(|t| async move {
        let ids = users(&t.database, 1, 22).await;
        let (mentor, learners) = (ids[0], &ids[1..]);
        let sessions = MentoringSessionStore::new(&t.database);
        // 20 bookings spread over two sources; the target has one free seat.
        let source_a = sessions
            .create(session(mentor, 10, 0, Duration::days(1)))
            .await
            .unwrap();
        let source_b = sessions
            .create(session(mentor, 10, 0, Duration::days(2)))
            .await
            .unwrap();
        let target = sessions
            .create(session(mentor, 2, 0, Duration::days(3)))
            .await
            .unwrap();
        let bookings = BookingStore::new(&t.database);
        reserve(&bookings, booking(&target, learners[20])).await;
        let mut moving = Vec::new();
        for (i, learner) in learners[..20].iter().enumerate() {
            let source = if i % 2 == 0 { &source_a } else { &source_b };
            moving.push(reserve(&bookings, booking(source, *learner)).await);
        }

        let pool = wide_pool(&t).await;
        let wide = BookingStore::new(&pool);
        let tasks: Vec<_> = moving
            .iter()
            .map(|b| {
                let (wide, id) = (wide.clone(), b.id);
                let later = NOW + Duration::minutes(1);
                tokio::spawn(async move {
                    (
                        id,
                        wide.reschedule(id, target.id, later, Outbox::empty()).await,
                    )
                })
            })
            .collect();
        let mut moved = Vec::new();
        let mut full = 0;
        for task in tasks {
            match task.await.unwrap() {
                (id, Ok(b)) => {
                    assert_eq!(b.session_id, target.id);
                    moved.push(id);
                }
                (_, Err(RepoError::Conflict(Conflict::SessionFull))) => full += 1,
                (_, other) => panic!("unexpected outcome {other:?}"),
            }
        }
        assert_eq!((moved.len(), full), (1, 19));
        for original in &moving {
            let now = bookings.by_id(original.id).await.unwrap().unwrap();
            let expected = if moved.contains(&original.id) {
                target.id
            } else {
                original.session_id
            };
            assert_eq!(now.session_id, expected);
            assert_eq!(now.status, BookingStatus::Confirmed);
        }
        assert_eq!(seats_taken(&pool, target.id).await, 2);
        assert_eq!(
            seats_taken(&pool, source_a.id).await + seats_taken(&pool, source_b.id).await,
            19
        );
        for s in [source_a.id, source_b.id, target.id] {
            assert_seats_consistent(&pool, s).await;
        }
        pool.close().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn rescheduling_is_refused_into_a_session_the_learner_already_holds() {
    on_each_backend(|t| async move {
        let db = &t.database;
        let ids = users(db, 1, 2).await;
        let sessions = MentoringSessionStore::new(db);
        let bookings = BookingStore::new(db);
        let a = sessions
            .create(session(ids[0], 3, 0, Duration::days(1)))
            .await
            .unwrap();
        let b = sessions
            .create(session(ids[0], 3, 0, Duration::days(2)))
            .await
            .unwrap();
        let in_a = reserve(&bookings, booking(&a, ids[1])).await;
        reserve(&bookings, booking(&b, ids[1])).await;
        assert_eq!(
            bookings
                .reschedule(in_a.id, b.id, NOW, Outbox::empty())
                .await,
            Err(conflict(Conflict::BookingDuplicate))
        );
        assert_eq!(
            bookings.by_id(in_a.id).await.unwrap().unwrap().session_id,
            a.id
        );
        assert_eq!(
            (seats_taken(db, a.id).await, seats_taken(db, b.id).await),
            (1, 1)
        );

        let c = sessions
            .create(session(ids[0], 3, 0, Duration::days(3)))
            .await
            .unwrap();
        let moved = bookings
            .reschedule(in_a.id, c.id, NOW, Outbox::empty())
            .await
            .unwrap();
        assert_eq!(moved.session_id, c.id);
        for s in [a.id, b.id, c.id] {
            assert_seats_consistent(db, s).await;
        }
        bookings
            .cancel(
                in_a.id,
                ids[1],
                None,
                PaymentStatus::Refunded,
                NOW,
                Outbox::empty(),
            )
            .await
            .unwrap();
        assert_eq!(
            bookings
                .reschedule(in_a.id, a.id, NOW, Outbox::empty())
                .await,
            Err(conflict(Conflict::StaleState))
        );
        assert_eq!(
            bookings
                .reschedule(Uuid::now_v7(), a.id, NOW, Outbox::empty())
                .await,
            Err(RepoError::NotFound)
        );
    })
    .await;
}

#[tokio::test]
async fn expired_holds_are_cancelled_once_and_free_their_seats() {
    on_each_backend(|t| async move {
        let db = &t.database;
        let ids = users(db, 1, 4).await;
        let sessions = MentoringSessionStore::new(db);
        let bookings = BookingStore::new(db);
        let s = sessions
            .create(session(ids[0], 3, 49900, Duration::days(1)))
            .await
            .unwrap();
        let past = reserve(&bookings, held(&s, ids[1], NOW + Duration::minutes(10))).await;
        let future = reserve(&bookings, held(&s, ids[2], NOW + Duration::minutes(30))).await;
        let paid = reserve(&bookings, held(&s, ids[3], NOW + Duration::minutes(10))).await;
        let confirmed = bookings
            .confirm_payment(
                paid.id,
                "pay_123".into(),
                NOW + Duration::minutes(1),
                Outbox::empty(),
            )
            .await
            .unwrap();
        assert_eq!(
            (confirmed.status, confirmed.payment_status),
            (BookingStatus::Confirmed, PaymentStatus::Paid)
        );
        assert_eq!(confirmed.payment_reference.as_deref(), Some("pay_123"));

        let at = NOW + Duration::minutes(15);
        let expired = bookings.expire_holds(at, untold()).await.unwrap();
        assert_eq!(expired.len(), 1);
        assert_eq!(expired[0].id, past.id);
        assert_eq!(expired[0].status, BookingStatus::Cancelled);
        assert_eq!(expired[0].payment_status, PaymentStatus::Failed);
        assert_eq!(
            expired[0].cancellation_reason.as_deref(),
            Some("hold_expired")
        );
        assert_eq!(
            bookings.expire_holds(at, untold()).await.unwrap(),
            Vec::new()
        );
        assert_eq!(seats_taken(db, s.id).await, 2);
        assert_seats_consistent(db, s.id).await;
        assert_eq!(
            bookings.by_id(future.id).await.unwrap().unwrap().status,
            BookingStatus::Pending
        );
        // A late payment for the expired hold is refused.
        assert_eq!(
            bookings
                .confirm_payment(past.id, "pay_late".into(), at, Outbox::empty())
                .await,
            Err(conflict(Conflict::StaleState))
        );
    })
    .await;
}

#[tokio::test]
async fn a_replayed_key_returns_the_first_booking_and_takes_no_second_seat() {
    on_each_backend(|t| async move {
        let db = &t.database;
        let ids = users(db, 1, 2).await;
        let s = MentoringSessionStore::new(db)
            .create(session(ids[0], 3, 0, Duration::days(3)))
            .await
            .unwrap();
        let bookings = BookingStore::new(db);
        let claim = |fingerprint: &str| {
            Some(IdempotencyClaim {
                scope: format!("booking:{}", ids[1]),
                key: "k1".into(),
                fingerprint: fingerprint.into(),
            })
        };
        let first = match bookings
            .reserve_seat(booking(&s, ids[1]), claim("fp"), NOW, Outbox::empty())
            .await
            .unwrap()
        {
            ReserveOutcome::Created(b) => b,
            other => panic!("expected Created, got {other:?}"),
        };
        let first_id = first.id;
        assert_eq!(
            bookings
                .reserve_seat(booking(&s, ids[1]), claim("fp"), NOW, Outbox::empty())
                .await
                .unwrap(),
            ReserveOutcome::Replayed(first)
        );
        assert_eq!(
            bookings
                .reserve_seat(booking(&s, ids[1]), claim("other"), NOW, Outbox::empty())
                .await,
            Err(RepoError::IdempotencyKeyMismatch)
        );
        assert_eq!(seats_taken(db, s.id).await, 1);
        // Right after a refusal the key is free again (the refused transaction ended),
        // and after its TTL it starts a new request.
        assert!(matches!(
            bookings
                .reserve_seat(booking(&s, ids[1]), claim("fp"), NOW, Outbox::empty())
                .await,
            Ok(ReserveOutcome::Replayed(_))
        ));
        let next_day = NOW + Duration::hours(25);
        bookings
            .cancel(
                first_id,
                ids[1],
                None,
                PaymentStatus::Refunded,
                next_day,
                Outbox::empty(),
            )
            .await
            .unwrap();
        assert!(matches!(
            bookings
                .reserve_seat(booking(&s, ids[1]), claim("fp"), next_day, Outbox::empty())
                .await,
            Ok(ReserveOutcome::Created(_))
        ));
        assert_seats_consistent(db, s.id).await;
    })
    .await;
}

#[tokio::test]
async fn lists_and_reminder_candidates() {
    on_each_backend(|t| async move {
        let db = &t.database;
        let ids = users(db, 1, 3).await;
        let sessions = MentoringSessionStore::new(db);
        let bookings = BookingStore::new(db);
        let soon = sessions
            .create(session(ids[0], 5, 0, Duration::minutes(50)))
            .await
            .unwrap();
        let tomorrow = sessions
            .create(session(
                ids[0],
                5,
                0,
                Duration::hours(23) + Duration::minutes(30),
            ))
            .await
            .unwrap();
        let b1 = reserve(&bookings, booking(&soon, ids[1])).await;
        let b2 = reserve(&bookings, booking(&tomorrow, ids[1])).await;
        let b3 = reserve(&bookings, booking(&soon, ids[2])).await;
        reserve(
            &bookings,
            held(&tomorrow, ids[2], NOW + Duration::minutes(15)),
        )
        .await;

        let mine = bookings
            .of_learner(ids[1], BookingFilter::default(), PageRequest::first(1))
            .await
            .unwrap();
        assert_eq!(mine.items.iter().map(|b| b.id).collect::<Vec<_>>(), [b2.id]);
        let rest = bookings
            .of_learner(
                ids[1],
                BookingFilter::default(),
                PageRequest {
                    limit: 1,
                    after: mine.next_after,
                },
            )
            .await
            .unwrap();
        assert_eq!(rest.items.iter().map(|b| b.id).collect::<Vec<_>>(), [b1.id]);
        assert_eq!(rest.next_after, None);
        let pending = bookings
            .of_learner(
                ids[2],
                BookingFilter {
                    status: Some(BookingStatus::Pending),
                },
                PageRequest::first(10),
            )
            .await
            .unwrap();
        assert_eq!(pending.items.len(), 1);
        let of_soon = bookings
            .of_session(soon.id, PageRequest::first(10))
            .await
            .unwrap();
        assert_eq!(
            of_soon.items.iter().map(|b| b.id).collect::<Vec<_>>(),
            [b1.id, b3.id]
        );

        let hour = bookings
            .starting_within(NOW, Duration::minutes(0), Duration::hours(1))
            .await
            .unwrap();
        let mut got: Vec<_> = hour.iter().map(|(b, s)| (b.id, s.id)).collect();
        got.sort();
        let mut want = vec![(b1.id, soon.id), (b3.id, soon.id)];
        want.sort();
        assert_eq!(got, want);
        // Only confirmed bookings are reminded; the pending hold is not.
        let day = bookings
            .starting_within(NOW, Duration::hours(23), Duration::hours(24))
            .await
            .unwrap();
        assert_eq!(day.iter().map(|(b, _)| b.id).collect::<Vec<_>>(), [b2.id]);
    })
    .await;
}

fn notice_for(user_id: Uuid, booking_id: Uuid) -> Notice {
    Notice::once(Notification {
        id: Uuid::now_v7(),
        user_id,
        kind: NotificationKind::BookingConfirmed,
        subject: Some(Subject::new(SubjectKind::Booking, booking_id)),
        data: "{}".into(),
        read_at: None,
        created_at: NOW,
    })
}

async fn notifications_of(db: &lyceum_infra_seaorm::Database, user_id: Uuid) -> usize {
    NotificationStore::new(db)
        .of_user(user_id, false, PageRequest::first(50))
        .await
        .unwrap()
        .items
        .len()
}

/// The transactional outbox: a booking's notifications are written in the booking's own
/// transaction. A refused booking writes none, a replayed one writes none again, and a
/// notification that cannot be stored takes the seat back with it.
#[tokio::test]
async fn a_booking_and_its_notifications_commit_or_roll_back_together() {
    on_each_backend(|t| async move {
        let db = &t.database;
        let ids = users(db, 1, 3).await;
        let (mentor, learner, other) = (ids[0], ids[1], ids[2]);
        let sessions = MentoringSessionStore::new(db);
        let bookings = BookingStore::new(db);
        let s = sessions
            .create(session(mentor, 1, 0, Duration::days(1)))
            .await
            .unwrap();

        let b = booking(&s, learner);
        let outbox = Outbox::notices(vec![notice_for(learner, b.id), notice_for(mentor, b.id)]);
        bookings.reserve_seat(b, None, NOW, outbox).await.unwrap();
        assert_eq!(notifications_of(db, learner).await, 1);
        assert_eq!(notifications_of(db, mentor).await, 1);

        // The session is full: the refusal writes nothing.
        let refused = booking(&s, other);
        let outbox = Outbox::notices(vec![notice_for(mentor, refused.id)]);
        assert_eq!(
            bookings.reserve_seat(refused, None, NOW, outbox).await,
            Err(conflict(Conflict::SessionFull))
        );
        assert_eq!(notifications_of(db, mentor).await, 1);

        // A notification that cannot be stored (its user does not exist) fails the whole
        // command: the seat is not taken and no booking exists.
        let roomy = sessions
            .create(session(mentor, 5, 0, Duration::days(2)))
            .await
            .unwrap();
        let doomed = booking(&roomy, other);
        let outbox = Outbox::notices(vec![
            notice_for(other, doomed.id),
            notice_for(Uuid::now_v7(), doomed.id),
        ]);
        assert!(
            bookings
                .reserve_seat(doomed, None, NOW, outbox)
                .await
                .is_err()
        );
        assert_eq!(seats_taken(db, roomy.id).await, 0);
        assert_eq!(live_bookings(db, roomy.id).await, 0);
        assert_eq!(notifications_of(db, other).await, 0);

        // The same holds for a cancellation.
        let first = bookings
            .of_learner(learner, BookingFilter::default(), PageRequest::first(5))
            .await
            .unwrap()
            .items[0]
            .clone();
        let outbox = Outbox::notices(vec![notice_for(Uuid::now_v7(), first.id)]);
        assert!(
            bookings
                .cancel(
                    first.id,
                    learner,
                    None,
                    PaymentStatus::Refunded,
                    NOW,
                    outbox
                )
                .await
                .is_err()
        );
        assert_eq!(
            seats_taken(db, s.id).await,
            1,
            "the cancellation rolled back"
        );
        let outbox = Outbox::notices(vec![notice_for(mentor, first.id)]);
        bookings
            .cancel(
                first.id,
                learner,
                None,
                PaymentStatus::Refunded,
                NOW,
                outbox,
            )
            .await
            .unwrap();
        assert_eq!(seats_taken(db, s.id).await, 0);
        assert_eq!(notifications_of(db, mentor).await, 2);
        assert_seats_consistent(db, s.id).await;
    })
    .await;
}

/// A session's cancellation tells every learner it cancelled, in its own transaction.
#[tokio::test]
async fn a_cancelled_session_tells_each_cancelled_booking_in_its_transaction() {
    on_each_backend(|t| async move {
        let db = &t.database;
        let ids = users(db, 1, 3).await;
        let sessions = MentoringSessionStore::new(db);
        let bookings = BookingStore::new(db);
        let s = sessions
            .create(session(ids[0], 5, 0, Duration::days(1)))
            .await
            .unwrap();
        for learner in &ids[1..] {
            reserve(&bookings, booking(&s, *learner)).await;
        }
        let tell: lyceum_ports::outbox::BookingNotices =
            Box::new(|b| vec![notice_for(b.learner_id, b.id)]);
        let cancelled = sessions.cancel(s.id, ids[0], NOW, tell).await.unwrap();
        assert_eq!(cancelled.len(), 2);
        for learner in &ids[1..] {
            assert_eq!(notifications_of(db, *learner).await, 1);
        }
    })
    .await;
}
