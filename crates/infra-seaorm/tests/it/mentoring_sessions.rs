//! Mentoring sessions: edits under the seat guard, cancellation, life-cycle jobs,
//! discovery and calendars.

use crate::common::untold;
use lyceum_ports::outbox::Outbox;
use std::collections::HashSet;

use lyceum_domain::mentoring::{
    BookingStatus, Capacity, MentorshipRequest, PaymentStatus, RequestMessage, RequestStatus,
    RequestSubject, SessionDuration, SessionStatus, SessionTitle,
};
use lyceum_infra_seaorm::testing::on_each_backend;
use lyceum_infra_seaorm::{
    BookingStore, MentoringSessionStore, MentorshipRequestStore, SpecializationStore,
};
use lyceum_ports::identity::SpecializationRepository;
use lyceum_ports::mentoring::{
    BookingRepository, MentoringSessionRepository, MentorshipRequestRepository, SessionChanges,
    SessionCursor, SessionFilter, SessionSort,
};
use lyceum_ports::{Conflict, RepoError};
use sea_orm::{ConnectionTrait, Statement};
use time::Duration;
use uuid::Uuid;

use crate::common::NOW;
use crate::common::mentoring::{
    assert_seats_consistent, booking, held, inr, reserve, session, users, wide_pool,
};

fn changes_of(s: &lyceum_domain::mentoring::MentoringSession) -> SessionChanges {
    SessionChanges {
        title: s.title.clone(),
        description: s.description.clone(),
        specialization_id: s.specialization_id,
        duration: s.duration,
        price: s.price,
        capacity: s.capacity,
        starts_at: s.starts_at,
        meeting_url: s.meeting_url.clone(),
    }
}

#[tokio::test]
async fn sessions_are_stored_read_back_and_edited_under_the_seat_guard() {
    on_each_backend(|t| async move {
        let db = &t.database;
        let ids = users(db, 1, 4).await;
        let sessions = MentoringSessionStore::new(db);
        let bookings = BookingStore::new(db);
        let spec = SpecializationStore::new(db).list().await.unwrap()[0].id;
        let mut new = session(ids[0], 3, 49900, Duration::days(2));
        new.specialization_id = Some(spec);
        let created = sessions.create(new.clone()).await.unwrap();
        assert_eq!(created, new);
        assert_eq!(sessions.by_id(new.id).await.unwrap(), Some(new.clone()));
        assert_eq!(sessions.by_id(Uuid::now_v7()).await.unwrap(), None);
        // Batched views: one statement adds each session's count; unknown ids are skipped.
        let other = sessions
            .create(session(ids[0], 3, 0, Duration::days(4)))
            .await
            .unwrap();
        sessions
            .add_views(vec![(new.id, 2), (other.id, 5), (Uuid::now_v7(), 7)])
            .await
            .unwrap();
        sessions.add_views(vec![(other.id, 1)]).await.unwrap();
        let many: Vec<(Uuid, i64)> = (0..1200)
            .map(|_| (Uuid::now_v7(), 1))
            .chain([(new.id, 1)])
            .collect();
        sessions.add_views(many).await.unwrap();
        let views = |id| {
            let sessions = sessions.clone();
            async move { sessions.by_id(id).await.unwrap().unwrap().popularity.views }
        };
        assert_eq!((views(new.id).await, views(other.id).await), (3, 6));

        reserve(&bookings, booking(&new, ids[1])).await;
        reserve(&bookings, booking(&new, ids[2])).await;

        let later = NOW + Duration::hours(1);
        let mut changes = changes_of(&new);
        changes.title = SessionTitle::parse("Lifetimes").unwrap();
        changes.duration = SessionDuration::minutes(90).unwrap();
        changes.price = inr(19900);
        changes.capacity = Capacity::new(2).unwrap();
        changes.starts_at = NOW + Duration::days(3);
        let updated = sessions
            .update(new.id, changes.clone(), later, None)
            .await
            .unwrap();
        assert_eq!(updated.title.as_str(), "Lifetimes");
        assert_eq!(updated.capacity.seats(), 2);
        assert_eq!(updated.seats_taken, 2);
        assert_eq!(
            updated.ends_at(),
            NOW + Duration::days(3) + Duration::minutes(90)
        );
        assert_eq!(updated.updated_at, later);
        assert_eq!(updated.popularity.views, 3);
        assert_eq!(updated.popularity.bookings, 2);
        // `busy_for_mentor` reads the stored end.
        let busy = sessions
            .busy_for_mentor(
                ids[0],
                NOW + Duration::days(3) + Duration::minutes(80),
                NOW + Duration::days(4),
            )
            .await
            .unwrap();
        assert_eq!(busy.iter().map(|s| s.id).collect::<Vec<_>>(), [new.id]);

        changes.capacity = Capacity::new(1).unwrap();
        assert_eq!(
            sessions.update(new.id, changes.clone(), later, None).await,
            Err(RepoError::Conflict(Conflict::CapacityBelowSeatsTaken))
        );
        assert_eq!(
            sessions
                .update(Uuid::now_v7(), changes.clone(), later, None)
                .await,
            Err(RepoError::NotFound)
        );
        sessions
            .cancel(new.id, ids[0], later, untold())
            .await
            .unwrap();
        changes.capacity = Capacity::new(5).unwrap();
        assert_eq!(
            sessions.update(new.id, changes, later, None).await,
            Err(RepoError::Conflict(Conflict::StaleState))
        );
        // A missing mentor is refused by the foreign key.
        assert_eq!(
            sessions
                .create(session(Uuid::now_v7(), 1, 0, Duration::days(1)))
                .await,
            Err(RepoError::NotFound)
        );
    })
    .await;
}

#[tokio::test]
async fn cancelling_a_session_cancels_its_live_bookings_and_returns_them() {
    on_each_backend(|t| async move {
        let db = &t.database;
        let ids = users(db, 1, 5).await;
        let sessions = MentoringSessionStore::new(db);
        let bookings = BookingStore::new(db);
        let s = sessions
            .create(session(ids[0], 5, 49900, Duration::days(1)))
            .await
            .unwrap();
        let paid = reserve(&bookings, held(&s, ids[1], NOW + Duration::minutes(15))).await;
        bookings
            .confirm_payment(paid.id, "pay_1".into(), NOW, Outbox::empty())
            .await
            .unwrap();
        let pending = reserve(&bookings, held(&s, ids[2], NOW + Duration::minutes(15))).await;
        let gone = reserve(&bookings, held(&s, ids[3], NOW + Duration::minutes(15))).await;
        bookings
            .cancel(
                gone.id,
                ids[3],
                None,
                PaymentStatus::Failed,
                NOW,
                Outbox::empty(),
            )
            .await
            .unwrap();

        let later = NOW + Duration::hours(1);
        let cancelled = sessions
            .cancel(s.id, ids[0], later, untold())
            .await
            .unwrap();
        let mut got: Vec<_> = cancelled
            .iter()
            .map(|b| (b.id, b.status, b.payment_status, b.cancelled_by))
            .collect();
        got.sort_by_key(|g| g.0);
        let mut want = vec![
            (
                paid.id,
                BookingStatus::Cancelled,
                PaymentStatus::Refunded,
                Some(ids[0]),
            ),
            (
                pending.id,
                BookingStatus::Cancelled,
                PaymentStatus::Failed,
                Some(ids[0]),
            ),
        ];
        want.sort_by_key(|w| w.0);
        assert_eq!(got, want);
        let stored = sessions.by_id(s.id).await.unwrap().unwrap();
        assert_eq!(
            (stored.status, stored.seats_taken),
            (SessionStatus::Cancelled, 0)
        );
        assert_seats_consistent(db, s.id).await;
        assert_eq!(
            sessions.cancel(s.id, ids[0], later, untold()).await,
            Err(RepoError::Conflict(Conflict::StaleState))
        );
        assert_eq!(
            sessions
                .cancel(Uuid::now_v7(), ids[0], later, untold())
                .await,
            Err(RepoError::NotFound)
        );
        assert_eq!(
            bookings
                .reserve_seat(booking(&s, ids[4]), None, NOW, Outbox::empty())
                .await,
            Err(RepoError::Conflict(Conflict::SessionNotBookable))
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn due_sessions_start_and_complete_once_even_with_concurrent_callers() {
    on_each_backend(|t| async move {
        let db = &t.database;
        let ids = users(db, 1, 4).await;
        let sessions = MentoringSessionStore::new(db);
        let bookings = BookingStore::new(db);
        let requests = MentorshipRequestStore::new(db);
        // Right after the 1:1 below (a mentor is never in two sessions at once).
        let group = sessions
            .create(session(ids[0], 5, 0, Duration::minutes(90)))
            .await
            .unwrap();
        let later_one = sessions
            .create(session(ids[0], 5, 0, Duration::days(1)))
            .await
            .unwrap();
        let confirmed = reserve(&bookings, booking(&group, ids[1])).await;
        let hold = reserve(&bookings, held(&group, ids[2], NOW + Duration::days(1))).await;
        // A 1:1 from an accepted request, due at the same time.
        let request = MentorshipRequest {
            id: Uuid::now_v7(),
            learner_id: ids[3],
            mentor_id: ids[0],
            subject: RequestSubject::parse("Career advice").unwrap(),
            message: RequestMessage::parse("Hello").unwrap(),
            proposed_start: NOW + Duration::minutes(30),
            duration_minutes: 60,
            notes: None,
            status: RequestStatus::Pending,
            response_message: None,
            session_id: None,
            created_at: NOW,
            updated_at: NOW,
        };
        requests
            .create(request.clone(), Outbox::empty())
            .await
            .unwrap();
        let mut one = session(ids[0], 1, 0, Duration::minutes(30));
        one.seats_taken = 1;
        one.request_id = Some(request.id);
        one.popularity.bookings = 1;
        let one_booking = booking(&one, ids[3]);
        requests
            .accept(
                request.id,
                one.clone(),
                one_booking.clone(),
                None,
                NOW,
                Outbox::empty(),
            )
            .await
            .unwrap();

        let at = NOW + Duration::minutes(45);
        let started: HashSet<Uuid> = sessions
            .start_due(at)
            .await
            .unwrap()
            .into_iter()
            .map(|s| s.id)
            .collect();
        assert_eq!(started, HashSet::from([one.id]));
        assert!(sessions.start_due(at).await.unwrap().is_empty());

        let end = NOW + Duration::hours(3);
        let pool = wide_pool(&t).await;
        let (a, b) = (
            MentoringSessionStore::new(&pool),
            MentoringSessionStore::new(&pool),
        );
        let (first, second) = tokio::join!(
            tokio::spawn(async move { a.complete_due(end).await }),
            tokio::spawn(async move { b.complete_due(end).await })
        );
        let mut completed: Vec<Uuid> = first
            .unwrap()
            .unwrap()
            .into_iter()
            .chain(second.unwrap().unwrap())
            .map(|s| {
                assert_eq!(s.status, SessionStatus::Completed);
                s.id
            })
            .collect();
        completed.sort();
        let mut want = vec![group.id, one.id];
        want.sort();
        assert_eq!(
            completed, want,
            "each due session is returned by exactly one call"
        );
        assert!(sessions.complete_due(end).await.unwrap().is_empty());
        pool.close().await.unwrap();

        let done = sessions.by_id(group.id).await.unwrap().unwrap();
        assert_eq!(done.popularity.completed_bookings, 1);
        assert_eq!(
            bookings.by_id(confirmed.id).await.unwrap().unwrap().status,
            BookingStatus::Completed
        );
        assert_eq!(
            bookings.by_id(hold.id).await.unwrap().unwrap().status,
            BookingStatus::Pending
        );
        assert_eq!(
            requests.by_id(request.id).await.unwrap().unwrap().status,
            RequestStatus::Completed
        );
        assert_eq!(
            sessions.by_id(later_one.id).await.unwrap().unwrap().status,
            SessionStatus::Scheduled
        );
    })
    .await;
}

#[tokio::test]
async fn upcoming_sessions_are_the_ones_i_mentor_or_hold_a_seat_in() {
    on_each_backend(|t| async move {
        let db = &t.database;
        let ids = users(db, 1, 3).await;
        let sessions = MentoringSessionStore::new(db);
        let bookings = BookingStore::new(db);
        let mine = sessions
            .create(session(ids[1], 2, 0, Duration::days(3)))
            .await
            .unwrap();
        let booked = sessions
            .create(session(ids[0], 2, 0, Duration::days(1)))
            .await
            .unwrap();
        let dropped = sessions
            .create(session(ids[0], 2, 0, Duration::days(2)))
            .await
            .unwrap();
        let other = sessions
            .create(session(ids[0], 2, 0, Duration::days(4)))
            .await
            .unwrap();
        reserve(&bookings, booking(&booked, ids[1])).await;
        let b = reserve(&bookings, booking(&dropped, ids[1])).await;
        bookings
            .cancel(
                b.id,
                ids[1],
                None,
                PaymentStatus::Refunded,
                NOW,
                Outbox::empty(),
            )
            .await
            .unwrap();
        reserve(&bookings, booking(&other, ids[2])).await;

        let upcoming = sessions.upcoming_for_user(ids[1], NOW, 10).await.unwrap();
        assert_eq!(
            upcoming.iter().map(|s| s.id).collect::<Vec<_>>(),
            [booked.id, mine.id]
        );
        let first = sessions.upcoming_for_user(ids[1], NOW, 1).await.unwrap();
        assert_eq!(first.len(), 1);
        let after = sessions
            .upcoming_for_user(ids[1], NOW + Duration::days(5), 10)
            .await
            .unwrap();
        assert!(after.is_empty());
    })
    .await;
}

/// Walks every page of a discovery query.
async fn all_pages(
    sessions: &MentoringSessionStore,
    filter: &SessionFilter,
    sort: SessionSort,
    limit: u64,
) -> Vec<Uuid> {
    let mut seen = Vec::new();
    let mut after: Option<SessionCursor> = None;
    loop {
        let page = sessions
            .discover(filter.clone(), sort, limit, after, NOW)
            .await
            .unwrap();
        assert!(page.items.len() as u64 <= limit);
        seen.extend(page.items.iter().map(|s| s.id));
        match page.next {
            Some(next) => {
                assert_eq!(Some(&next.id), seen.last());
                after = Some(next);
            }
            None => break,
        }
    }
    seen
}

#[tokio::test]
async fn discovery_filters_sorts_and_pages_without_gaps_or_repeats() {
    on_each_backend(|t| async move {
        let db = &t.database;
        let ids = users(db, 1, 4).await;
        let (mentor_a, mentor_b, mentor_c) = (ids[0], ids[1], ids[3]);
        let sessions = MentoringSessionStore::new(db);
        let spec = SpecializationStore::new(db).list().await.unwrap()[0].id;
        // 12 sessions with repeated keys, so that ties cross page boundaries. Sessions
        // starting together have different mentors: a mentor is never in two at once.
        let mut made = Vec::new();
        for i in 0..12i64 {
            let mentor = [mentor_b, mentor_a, mentor_c][(i % 3) as usize];
            let mut s = session(mentor, 2, (i % 4) * 10000, Duration::days(1 + i % 5));
            if i % 2 == 0 {
                s.specialization_id = Some(spec);
            }
            made.push(sessions.create(s).await.unwrap());
        }
        // Not discoverable: past, and cancelled.
        let past = sessions
            .create(session(mentor_a, 2, 0, Duration::hours(6)))
            .await
            .unwrap();
        let conn = db.connection();
        conn.execute_raw(Statement::from_sql_and_values(
            conn.get_database_backend(),
            "UPDATE mentoring_sessions SET starts_at = $1 WHERE id = $2",
            [(NOW - Duration::hours(1)).into(), past.id.into()],
        ))
        .await
        .unwrap();
        let cancelled = sessions
            .create(session(mentor_a, 2, 0, Duration::hours(6)))
            .await
            .unwrap();
        sessions
            .cancel(cancelled.id, mentor_a, NOW, untold())
            .await
            .unwrap();

        // Popularity and rating figures, set directly.
        for (i, s) in made.iter().enumerate() {
            conn.execute_raw(Statement::from_sql_and_values(
                conn.get_database_backend(),
                "UPDATE mentoring_sessions SET booking_count = $1, rating_count = 2, \
                 rating_sum = $2, rating_avg_milli = $2 * 500 WHERE id = $3",
                [
                    ((i % 3) as i64).into(),
                    (((i * 7) % 4) as i64 + 5).into(),
                    s.id.into(),
                ],
            ))
            .await
            .unwrap();
        }
        // Seats: fill one session (which also counts two bookings).
        let full = &made[1];
        let bookings = BookingStore::new(db);
        reserve(&bookings, booking(full, ids[2])).await;
        let other = users(db, 10, 1).await[0];
        reserve(&bookings, booking(full, other)).await;
        let reload = |id: Uuid| {
            let sessions = sessions.clone();
            async move { sessions.by_id(id).await.unwrap().unwrap() }
        };
        let mut stored = Vec::new();
        for s in &made {
            stored.push(reload(s.id).await);
        }

        let none = SessionFilter::default();
        for (sort, limit) in [
            (SessionSort::Soonest, 5),
            (SessionSort::Price, 4),
            (SessionSort::Rating, 3),
            (SessionSort::Popularity, 5),
        ] {
            let mut expected = stored.clone();
            match sort {
                SessionSort::Soonest => expected.sort_by_key(|s| (s.starts_at, s.id)),
                SessionSort::Price => expected.sort_by_key(|s| (s.price.amount_minor(), s.id)),
                SessionSort::Rating => expected.sort_by_key(|s| {
                    (
                        -((s.popularity.rating_average.unwrap_or(0.0) * 1000.0).round() as i64),
                        s.id,
                    )
                }),
                SessionSort::Popularity => expected.sort_by_key(|s| (-s.popularity.bookings, s.id)),
            }
            let expected: Vec<Uuid> = expected.iter().map(|s| s.id).collect();
            assert_eq!(
                all_pages(&sessions, &none, sort, limit).await,
                expected,
                "{sort:?}"
            );
        }

        let by_mentor = SessionFilter {
            mentor_id: Some(mentor_b),
            ..SessionFilter::default()
        };
        let got: HashSet<Uuid> = all_pages(&sessions, &by_mentor, SessionSort::Soonest, 2)
            .await
            .into_iter()
            .collect();
        let want: HashSet<Uuid> = made
            .iter()
            .filter(|s| s.mentor_id == mentor_b)
            .map(|s| s.id)
            .collect();
        assert_eq!(got, want);

        let filtered = SessionFilter {
            specialization_id: Some(spec),
            min_price_minor: Some(10000),
            max_price_minor: Some(20000),
            starts_from: Some(NOW + Duration::days(2)),
            starts_to: Some(NOW + Duration::days(5)),
            only_with_free_seats: true,
            ..SessionFilter::default()
        };
        let got: HashSet<Uuid> = all_pages(&sessions, &filtered, SessionSort::Price, 2)
            .await
            .into_iter()
            .collect();
        let want: HashSet<Uuid> = made
            .iter()
            .filter(|s| {
                s.specialization_id == Some(spec)
                    && (10000..=20000).contains(&s.price.amount_minor())
                    && s.starts_at >= NOW + Duration::days(2)
                    && s.starts_at < NOW + Duration::days(5)
                    && s.id != full.id
            })
            .map(|s| s.id)
            .collect();
        assert!(!want.is_empty());
        assert_eq!(got, want);

        let free = SessionFilter {
            only_with_free_seats: true,
            ..SessionFilter::default()
        };
        let got = all_pages(&sessions, &free, SessionSort::Soonest, 100).await;
        assert_eq!(got.len(), 11);
        assert!(!got.contains(&full.id));
    })
    .await;
}

#[tokio::test]
async fn discovery_reads_an_index_for_every_sort() {
    on_each_backend(|t| async move {
        let db = &t.database;
        let conn = db.connection();
        let backend = conn.get_database_backend();
        let sqlite = t.backend == lyceum_infra_seaorm::Backend::Sqlite;
        for order in [
            "starts_at ASC, id ASC",
            "price_amount_minor ASC, id ASC",
            "rating_avg_milli DESC, id ASC",
            "booking_count DESC, id ASC",
        ] {
            let query = format!(
                "SELECT * FROM mentoring_sessions WHERE status = 'scheduled' \
                 AND starts_at > $1 ORDER BY {order} LIMIT 21"
            );
            let explain = if sqlite {
                format!("EXPLAIN QUERY PLAN {query}")
            } else {
                format!("EXPLAIN {query}")
            };
            let rows = conn
                .query_all_raw(Statement::from_sql_and_values(
                    backend,
                    &explain,
                    [NOW.into()],
                ))
                .await
                .unwrap();
            let plan: Vec<String> = rows
                .iter()
                .map(|row| {
                    row.try_get::<String>("", if sqlite { "detail" } else { "QUERY PLAN" })
                        .unwrap()
                })
                .collect();
            let plan = plan.join("\n");
            assert!(plan.contains("ix_mentoring_sessions"), "{order}:\n{plan}");
        }
    })
    .await;
}

/// The store's refusal of a time `session_id` already takes.
fn busy<T>(session_id: Uuid) -> Result<T, RepoError> {
    Err(RepoError::Conflict(Conflict::MentorBusy { session_id }))
}

/// A pending request from `learner_id` to `mentor_id` for the hour starting `starts_in`
/// after [`NOW`], and the 1:1 accepting it would create.
fn pending_request(
    learner_id: Uuid,
    mentor_id: Uuid,
    starts_in: Duration,
) -> (
    MentorshipRequest,
    lyceum_domain::mentoring::MentoringSession,
) {
    let request = MentorshipRequest {
        id: Uuid::now_v7(),
        learner_id,
        mentor_id,
        subject: RequestSubject::parse("Career advice").unwrap(),
        message: RequestMessage::parse("Hello").unwrap(),
        proposed_start: NOW + starts_in,
        duration_minutes: 60,
        notes: None,
        status: RequestStatus::Pending,
        response_message: None,
        session_id: None,
        created_at: NOW,
        updated_at: NOW,
    };
    let mut one = session(mentor_id, 1, 0, starts_in);
    one.seats_taken = 1;
    one.request_id = Some(request.id);
    (request, one)
}

#[tokio::test]
async fn a_mentor_is_never_given_two_overlapping_sessions() {
    on_each_backend(|t| async move {
        let db = &t.database;
        let ids = users(db, 1, 3).await;
        let (mentor, other_mentor, learner) = (ids[0], ids[1], ids[2]);
        let sessions = MentoringSessionStore::new(db);
        let requests = MentorshipRequestStore::new(db);
        let day = Duration::days(1);
        let first = sessions.create(session(mentor, 5, 0, day)).await.unwrap();

        // Create: the same hour, or half of it, is refused and nothing is stored.
        let twin = session(mentor, 5, 0, day);
        assert_eq!(sessions.create(twin.clone()).await, busy(first.id));
        assert_eq!(sessions.by_id(twin.id).await.unwrap(), None);
        let half = session(mentor, 5, 0, day + Duration::minutes(30));
        assert_eq!(sessions.create(half).await, busy(first.id));
        // Back to back is fine, and so is another mentor at the same time.
        let next = sessions
            .create(session(mentor, 5, 0, day + Duration::hours(1)))
            .await
            .unwrap();
        sessions
            .create(session(other_mentor, 5, 0, day))
            .await
            .unwrap();

        // Update: a new time or a longer duration reaching another session is refused
        // and changes nothing; an edit keeping the time is not checked.
        let mut onto_first = changes_of(&next);
        onto_first.starts_at = first.starts_at + Duration::minutes(15);
        assert_eq!(
            sessions.update(next.id, onto_first, NOW, None).await,
            busy(first.id)
        );
        let mut longer = changes_of(&first);
        longer.duration = SessionDuration::minutes(90).unwrap();
        assert_eq!(
            sessions.update(first.id, longer, NOW, None).await,
            busy(next.id)
        );
        assert_eq!(
            sessions.by_id(first.id).await.unwrap().unwrap().duration,
            first.duration
        );
        let mut renamed = changes_of(&next);
        renamed.title = SessionTitle::parse("Lifetimes").unwrap();
        sessions.update(next.id, renamed, NOW, None).await.unwrap();
        let mut within_itself = changes_of(&next);
        within_itself.duration = SessionDuration::minutes(30).unwrap();
        sessions
            .update(next.id, within_itself, NOW, None)
            .await
            .unwrap();

        // Accept: a 1:1 on the mentor's time is refused, the request stays pending and no
        // session or booking is stored; one on free time is accepted.
        let (request, one) = pending_request(learner, mentor, day + Duration::minutes(20));
        requests
            .create(request.clone(), Outbox::empty())
            .await
            .unwrap();
        assert_eq!(
            requests
                .accept(
                    request.id,
                    one.clone(),
                    booking(&one, learner),
                    None,
                    NOW,
                    Outbox::empty()
                )
                .await,
            busy(first.id)
        );
        assert_eq!(
            requests.by_id(request.id).await.unwrap().unwrap().status,
            RequestStatus::Pending
        );
        assert_eq!(sessions.by_id(one.id).await.unwrap(), None);
        let (free, one) = pending_request(learner, mentor, day + Duration::hours(2));
        requests
            .create(free.clone(), Outbox::empty())
            .await
            .unwrap();
        requests
            .accept(
                free.id,
                one.clone(),
                booking(&one, learner),
                None,
                NOW,
                Outbox::empty(),
            )
            .await
            .unwrap();
        // The accepted 1:1 now takes the mentor's time too.
        let clash = session(mentor, 5, 0, day + Duration::hours(2));
        assert_eq!(sessions.create(clash).await, busy(one.id));

        // A cancelled session gives its time back.
        sessions
            .cancel(first.id, mentor, NOW, untold())
            .await
            .unwrap();
        sessions.create(session(mentor, 5, 0, day)).await.unwrap();
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_creates_moves_and_accepts_for_one_mentor_give_the_hour_once() {
    on_each_backend(|t| async move {
        let db = &t.database;
        let ids = users(db, 1, 6).await;
        let mentor = ids[0];
        let pool = wide_pool(&t).await;
        let sessions = MentoringSessionStore::new(&pool);
        let requests = MentorshipRequestStore::new(&pool);
        let hour = Duration::days(1);
        // Sessions elsewhere in the week, each about to be moved onto the hour, and
        // pending requests for it.
        let mut movable = Vec::new();
        for i in 0..5 {
            let s = session(mentor, 5, 0, Duration::days(2) + Duration::hours(2 * i));
            movable.push(sessions.create(s).await.unwrap());
        }
        let mut pending = Vec::new();
        for learner in &ids[1..] {
            let (request, one) = pending_request(*learner, mentor, hour);
            requests
                .create(request.clone(), Outbox::empty())
                .await
                .unwrap();
            pending.push((request, one, *learner));
        }
        let mut tasks = Vec::new();
        for _ in 0..10 {
            let sessions = sessions.clone();
            tasks.push(tokio::spawn(async move {
                sessions
                    .create(session(mentor, 5, 0, hour))
                    .await
                    .map(|s| s.id)
            }));
        }
        for s in &movable {
            let (sessions, mut moved) = (sessions.clone(), changes_of(s));
            moved.starts_at = NOW + hour;
            let id = s.id;
            tasks.push(tokio::spawn(async move {
                sessions.update(id, moved, NOW, None).await.map(|s| s.id)
            }));
        }
        for (request, one, learner) in pending {
            let requests = requests.clone();
            tasks.push(tokio::spawn(async move {
                let b = booking(&one, learner);
                requests
                    .accept(request.id, one.clone(), b, None, NOW, Outbox::empty())
                    .await
                    .map(|_| one.id)
            }));
        }
        let (mut won, mut named) = (Vec::new(), Vec::new());
        for task in tasks {
            match task.await.unwrap() {
                Ok(id) => won.push(id),
                Err(RepoError::Conflict(Conflict::MentorBusy { session_id })) => {
                    named.push(session_id)
                }
                Err(other) => panic!("unexpected {other:?}"),
            }
        }
        assert_eq!(
            (won.len(), named.len()),
            (1, 19),
            "exactly one write takes the hour"
        );
        assert!(
            named.iter().all(|id| *id == won[0]),
            "every refusal names the winner's session"
        );
        let conn = db.connection();
        let row = conn
            .query_one_raw(Statement::from_sql_and_values(
                conn.get_database_backend(),
                "SELECT COUNT(*) AS n FROM mentoring_sessions WHERE mentor_id = $1 \
                 AND status IN ('scheduled', 'active') AND starts_at < $2 AND ends_at > $3",
                [
                    mentor.into(),
                    (NOW + hour + Duration::hours(1)).into(),
                    (NOW + hour).into(),
                ],
            ))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.try_get::<i64>("", "n").unwrap(), 1);
        pool.close().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn the_longest_session_still_takes_its_last_minute() {
    on_each_backend(|t| async move {
        let db = &t.database;
        let mentor = users(db, 1, 1).await[0];
        let sessions = MentoringSessionStore::new(db);
        // Both reads bound how far back a clashing session can start by the longest
        // duration; a longest session clashes up to its last minute.
        let mut long = session(mentor, 5, 0, Duration::days(1));
        long.duration = SessionDuration::minutes(480).unwrap();
        let long = sessions.create(long).await.unwrap();
        let last_minute = Duration::days(1) + Duration::minutes(479);
        assert_eq!(
            sessions.create(session(mentor, 5, 0, last_minute)).await,
            busy(long.id)
        );
        let from = NOW + last_minute;
        let busy_then = sessions
            .busy_for_mentor(mentor, from, from + Duration::hours(1))
            .await
            .unwrap();
        assert_eq!(
            busy_then.iter().map(|s| s.id).collect::<Vec<_>>(),
            [long.id]
        );
        sessions
            .create(session(
                mentor,
                5,
                0,
                Duration::days(1) + Duration::minutes(480),
            ))
            .await
            .unwrap();
    })
    .await;
}
