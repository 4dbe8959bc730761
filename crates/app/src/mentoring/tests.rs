//! Mentoring use-case tests with mocked ports: each asserts the result and the calls made.

use lyceum_domain::Violation;
use lyceum_domain::identity::Role;
use lyceum_domain::mentoring::*;
use lyceum_ports::mentoring::{ReserveOutcome, SessionChanges};
use lyceum_ports::{Conflict, RepoError};
use mockall::predicate::eq;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::*;
use crate::AppError;
use crate::Resource;
use crate::test_support::{Mocks, NOW, actor, session, user};

fn booking_in(s: &MentoringSession, learner: Uuid, status: BookingStatus) -> Booking {
    Booking {
        id: Uuid::now_v7(),
        session_id: s.id,
        learner_id: learner,
        status,
        payment_status: PaymentStatus::Paid,
        amount: s.price,
        hold_expires_at: None,
        payment_reference: None,
        cancelled_by: None,
        cancellation_reason: None,
        created_at: NOW,
        updated_at: NOW,
    }
}

/// Every account `by_id` asks for is an active account holding `roles`.
fn accounts_hold(m: &mut Mocks, roles: &'static [Role]) {
    m.users.expect_by_id().returning(move |id| {
        let mut account = user(roles);
        account.id = id;
        Ok(Some(account))
    });
}

fn input(starts_at: OffsetDateTime, duration: i64, capacity: i64) -> SessionInput {
    SessionInput {
        title: "Rust ownership".into(),
        description: "Borrowing without tears".into(),
        duration_minutes: duration,
        price_amount_minor: 0,
        price_currency: "INR".into(),
        capacity,
        starts_at,
        meeting_url: None,
        specialization_id: None,
    }
}

#[tokio::test]
async fn only_mentors_create_sessions() {
    let mut m = Mocks::new();
    m.sessions.expect_create().never();
    let app = m.build();
    for roles in [&[Role::Learner][..], &[Role::Admin, Role::Learner], &[]] {
        let result = app
            .create_session(&actor(roles), input(NOW + Duration::days(1), 60, 5))
            .await;
        assert_eq!(
            result,
            Err(MentoringError::MentorRoleRequired.into()),
            "{roles:?}"
        );
    }
}

#[tokio::test]
async fn a_session_overlapping_another_of_the_mentor_is_refused_naming_it() {
    let busy = Uuid::now_v7();
    let mut m = Mocks::new();
    m.sessions.expect_create().times(1).returning(move |_| {
        Err(RepoError::Conflict(Conflict::MentorBusy {
            session_id: busy,
        }))
    });
    let result = m
        .build()
        .create_session(
            &actor(&[Role::Mentor]),
            input(NOW + Duration::days(1), 60, 5),
        )
        .await;
    assert_eq!(
        result,
        Err(AppError::Mentoring(MentoringError::Session(
            SessionError::Overlaps { session_id: busy }
        )))
    );
}

#[tokio::test]
async fn moving_a_session_onto_another_of_the_mentor_is_refused() {
    let mentor = actor(&[Role::Mentor]);
    let s = session(mentor.id(), 0, 5, 0);
    let (id, busy) = (s.id, Uuid::now_v7());
    let mut m = Mocks::new();
    m.sessions
        .expect_by_id()
        .returning(move |_| Ok(Some(s.clone())));
    m.sessions
        .expect_update()
        .times(1)
        .returning(move |_, _, _, _| {
            Err(RepoError::Conflict(Conflict::MentorBusy {
                session_id: busy,
            }))
        });
    m.bookings.expect_of_session().never();
    let patch = SessionPatch {
        duration_minutes: Some(120),
        ..Default::default()
    };
    assert_eq!(
        m.build().update_session(&mentor, id, patch).await,
        Err(AppError::Mentoring(MentoringError::Session(
            SessionError::Overlaps { session_id: busy }
        )))
    );
}

#[tokio::test]
async fn a_former_mentor_edits_no_session_but_may_still_cancel_it() {
    // The mentor role was removed after the session was created.
    let former = actor(&[Role::Learner]);
    let s = session(former.id(), 0, 5, 0);
    let id = s.id;
    let mut m = Mocks::new();
    m.sessions
        .expect_by_id()
        .returning(move |_| Ok(Some(s.clone())));
    m.sessions.expect_update().never();
    m.sessions
        .expect_cancel()
        .times(1)
        .returning(|_, _, _, _| Ok(vec![]));
    let app = m.build();
    let patch = SessionPatch {
        title: Some("Renamed".into()),
        ..Default::default()
    };
    assert_eq!(
        app.update_session(&former, id, patch).await,
        Err(MentoringError::MentorRoleRequired.into())
    );
    assert!(app.cancel_session(&former, id).await.is_ok());
}

#[tokio::test]
async fn session_creation_reports_every_bad_field_and_generates_a_meeting_url() {
    let mut m = Mocks::new();
    m.sessions.expect_create().times(1).returning(Ok);
    let app = m.build();
    let mentor = actor(&[Role::Mentor]);
    let Err(AppError::Validation(errors)) = app
        .create_session(&mentor, input(NOW - Duration::minutes(1), 10, 0))
        .await
    else {
        panic!("expected validation errors")
    };
    assert_eq!(
        errors.field_codes(),
        [
            ("duration_minutes", "out_of_range"),
            ("capacity", "out_of_range"),
            ("starts_at", "out_of_range"),
        ]
    );
    let created = app
        .create_session(&mentor, input(NOW + Duration::days(1), 60, 5))
        .await
        .unwrap();
    assert_eq!(created.meeting_url, generated_meeting_url(created.id));
    assert_eq!(
        (created.status, created.seats_taken, created.mentor_id),
        (SessionStatus::Scheduled, 0, mentor.id())
    );
}

#[tokio::test]
async fn session_texts_follow_their_kind_and_a_blank_url_with_a_line_break_is_refused() {
    let mut m = Mocks::new();
    m.sessions.expect_create().never();
    let mentor = actor(&[Role::Mentor]);
    let text = SessionInput {
        title: "Rust\townership".into(),
        description: "Borrowing\u{7}".into(),
        meeting_url: Some("\n".into()),
        ..input(NOW + Duration::days(1), 60, 5)
    };
    let Err(AppError::Validation(errors)) = m.build().create_session(&mentor, text).await else {
        panic!("expected validation errors")
    };
    assert_eq!(
        errors.field_codes(),
        [
            ("title", "invalid_characters"),
            ("description", "invalid_characters"),
            ("meeting_url", "invalid_characters"),
        ]
    );
}

#[tokio::test]
async fn capacity_cannot_drop_below_seats_taken() {
    let mut m = Mocks::new();
    let mentor = actor(&[Role::Mentor]);
    let s = session(mentor.id(), 0, 5, 3);
    let id = s.id;
    m.sessions
        .expect_by_id()
        .returning(move |_| Ok(Some(s.clone())));
    m.sessions.expect_update().never();
    let patch = SessionPatch {
        capacity: Some(2),
        ..Default::default()
    };
    let result = m.build().update_session(&mentor, id, patch).await;
    assert!(matches!(
        result,
        Err(AppError::Mentoring(MentoringError::Session(
            SessionError::CapacityBelowSeatsTaken { .. }
        )))
    ));
}

#[tokio::test]
async fn moving_a_session_tells_its_booked_learners() {
    let mut m = Mocks::new();
    let mentor = actor(&[Role::Mentor]);
    let s = session(mentor.id(), 0, 5, 1);
    let (id, moved) = (s.id, s.clone());
    let learner = Uuid::now_v7();
    let b = booking_in(&s, learner, BookingStatus::Confirmed);
    m.sessions
        .expect_by_id()
        .returning(move |_| Ok(Some(s.clone())));
    m.sessions
        .expect_update()
        .withf(|_, c: &SessionChanges, _, tell| {
            c.starts_at == NOW + Duration::days(5) && tell.is_some()
        })
        .times(1)
        .returning(move |_, c, _, tell| {
            // The adapter applies `tell` to each live booking in the update's transaction.
            let told = tell.expect("a new time is told")(&b);
            assert!(matches!(&told[..], [n] if n.notification.user_id == learner
                && n.notification.kind == lyceum_domain::community::NotificationKind::SessionRescheduled));
            let mut updated = moved.clone();
            updated.starts_at = c.starts_at;
            Ok(updated)
        });
    m.notifications.expect_create().never();
    let patch = SessionPatch {
        starts_at: Some(NOW + Duration::days(5)),
        ..Default::default()
    };
    assert!(m.build().update_session(&mentor, id, patch).await.is_ok());
}

#[tokio::test]
async fn mentors_cannot_book_their_own_session() {
    let mut m = Mocks::new();
    let mentor = actor(&[Role::Mentor, Role::Learner]);
    let s = session(mentor.id(), 0, 5, 0);
    let id = s.id;
    m.sessions
        .expect_by_id()
        .returning(move |_| Ok(Some(s.clone())));
    m.bookings.expect_reserve_seat().never();
    let result = m.build().book_session(&mentor, id, None).await;
    assert!(matches!(
        result,
        Err(AppError::Mentoring(MentoringError::Booking(
            BookingError::OwnSession
        )))
    ));
}

#[tokio::test]
async fn a_full_session_is_refused_before_writing() {
    let mut m = Mocks::new();
    let s = session(Uuid::now_v7(), 0, 2, 2);
    let id = s.id;
    m.sessions
        .expect_by_id()
        .returning(move |_| Ok(Some(s.clone())));
    m.bookings.expect_reserve_seat().never();
    let result = m
        .build()
        .book_session(&actor(&[Role::Learner]), id, None)
        .await;
    assert!(matches!(
        result,
        Err(AppError::Mentoring(MentoringError::Booking(
            BookingError::SessionFull { .. }
        )))
    ));
}

#[tokio::test]
async fn the_database_guard_decides_a_race_for_the_last_seat() {
    let mut m = Mocks::new();
    let s = session(Uuid::now_v7(), 0, 5, 4);
    let id = s.id;
    m.sessions
        .expect_by_id()
        .returning(move |_| Ok(Some(s.clone())));
    accounts_hold(&mut m, &[Role::Mentor]);
    m.bookings
        .expect_reserve_seat()
        .times(1)
        .returning(|_, _, _, _| Err(RepoError::Conflict(Conflict::SessionFull)));
    let result = m
        .build()
        .book_session(&actor(&[Role::Learner]), id, None)
        .await;
    assert_eq!(
        result,
        Err(AppError::Mentoring(MentoringError::Booking(
            BookingError::SessionFull { capacity: 5 }
        )))
    );
}

#[tokio::test]
async fn free_sessions_confirm_at_once_and_paid_ones_hold_the_seat_for_fifteen_minutes() {
    for (price, status, hold) in [
        (0, BookingStatus::Confirmed, None),
        (
            49900,
            BookingStatus::Pending,
            Some(NOW + Duration::minutes(15)),
        ),
    ] {
        let mut m = Mocks::new();
        let s = session(Uuid::now_v7(), price, 5, 0);
        let (id, amount, mentor_of_session) = (s.id, s.price, s.mentor_id);
        m.sessions
            .expect_by_id()
            .returning(move |_| Ok(Some(s.clone())));
        accounts_hold(&mut m, &[Role::Mentor]);
        m.bookings
            .expect_reserve_seat()
            .withf(move |b, claim, _, outbox| {
                // The seat and its notifications commit together: the mentor always,
                // the learner too when the booking is confirmed at once.
                let told: Vec<_> = outbox
                    .notices
                    .iter()
                    .map(|n| n.notification.user_id)
                    .collect();
                let expected = if status == BookingStatus::Confirmed {
                    vec![b.learner_id, mentor_of_session]
                } else {
                    vec![mentor_of_session]
                };
                b.status == status
                    && b.hold_expires_at == hold
                    && b.amount == amount
                    && claim.is_none()
                    && told == expected
            })
            .times(1)
            .returning(|b, _, _, _| Ok(ReserveOutcome::Created(b)));
        m.notifications.expect_create().never();
        let result = m
            .build()
            .book_session(&actor(&[Role::Learner]), id, None)
            .await
            .unwrap()
            .fresh()
            .unwrap();
        assert_eq!(result.booking.status, status);
    }
}

#[tokio::test]
async fn every_account_may_book_but_not_the_sessions_of_someone_who_no_longer_mentors() {
    for (mentor_roles, booked) in [
        (&[Role::Mentor][..], true),
        (&[Role::Learner][..], false),
        (&[Role::Admin][..], false),
    ] {
        let mut m = Mocks::new();
        let s = session(Uuid::now_v7(), 0, 5, 0);
        let id = s.id;
        m.sessions
            .expect_by_id()
            .returning(move |_| Ok(Some(s.clone())));
        m.users.expect_by_id().returning(move |id| {
            let mut account = user(mentor_roles);
            account.id = id;
            Ok(Some(account))
        });
        // Learners, mentors and admins alike may learn.
        let learners = [&[Role::Learner][..], &[Role::Mentor], &[Role::Admin]];
        m.bookings
            .expect_reserve_seat()
            .times(if booked { learners.len() } else { 0 })
            .returning(|b, _, _, _| Ok(ReserveOutcome::Created(b)));
        m.notifications.expect_create().returning(|_, _| Ok(true));
        let app = m.build();
        for roles in learners {
            let result = app.book_session(&actor(roles), id, None).await;
            if booked {
                assert!(result.is_ok(), "{roles:?}: {result:?}");
            } else {
                assert_eq!(
                    result,
                    Err(MentoringError::MentorInactive.into()),
                    "{roles:?}"
                );
            }
        }
    }
}

#[tokio::test]
async fn a_deleted_or_deactivated_mentor_is_not_booked() {
    for close in [
        (|u: &mut lyceum_domain::identity::User| u.deleted_at = Some(NOW))
            as fn(&mut lyceum_domain::identity::User),
        |u| u.is_active = false,
    ] {
        let mut m = Mocks::new();
        let s = session(Uuid::now_v7(), 0, 5, 0);
        let id = s.id;
        m.sessions
            .expect_by_id()
            .returning(move |_| Ok(Some(s.clone())));
        m.users.expect_by_id().returning(move |id| {
            let mut account = user(&[Role::Mentor]);
            account.id = id;
            close(&mut account);
            Ok(Some(account))
        });
        m.bookings.expect_reserve_seat().never();
        assert_eq!(
            m.build()
                .book_session(&actor(&[Role::Learner]), id, None)
                .await,
            Err(MentoringError::MentorInactive.into())
        );
    }
}

#[tokio::test]
async fn learners_cancel_until_the_cutoff_and_mentors_any_time() {
    let mentor = actor(&[Role::Mentor]);
    let learner = actor(&[Role::Learner]);
    let mut s = session(mentor.id(), 0, 5, 1);
    s.starts_at = NOW + Duration::hours(1);
    let b = booking_in(&s, learner.id(), BookingStatus::Confirmed);
    let bid = b.id;
    let mut m = Mocks::new();
    let (s2, b2) = (s.clone(), b.clone());
    m.bookings
        .expect_by_id()
        .returning(move |_| Ok(Some(b2.clone())));
    m.sessions
        .expect_by_id()
        .returning(move |_| Ok(Some(s2.clone())));
    let learner_id = learner.id();
    m.bookings
        .expect_cancel()
        // The learner is told in the cancellation's own transaction.
        .withf(move |id, by, _, _, _, outbox| {
            *id == bid
                && *by != learner_id
                && matches!(&outbox.notices[..], [n] if n.notification.user_id == learner_id)
        })
        .times(1)
        .returning(move |_, by, _, _, _, _| {
            let mut c = b.clone();
            c.status = BookingStatus::Cancelled;
            c.cancelled_by = Some(by);
            Ok(c)
        });
    m.notifications.expect_create().never();
    let app = m.build();
    let too_late = app.cancel_booking(&learner, bid, None).await;
    assert!(matches!(
        too_late,
        Err(AppError::Mentoring(MentoringError::Booking(
            BookingError::CancellationClosed { .. }
        )))
    ));
    let by_mentor = app
        .cancel_booking(&mentor, bid, Some("illness".into()))
        .await
        .unwrap();
    assert_eq!(by_mentor.status, BookingStatus::Cancelled);
}

#[tokio::test]
async fn someone_elses_booking_is_not_found() {
    let mut m = Mocks::new();
    let s = session(Uuid::now_v7(), 0, 5, 1);
    let b = booking_in(&s, Uuid::now_v7(), BookingStatus::Confirmed);
    m.bookings
        .expect_by_id()
        .returning(move |_| Ok(Some(b.clone())));
    m.sessions
        .expect_by_id()
        .returning(move |_| Ok(Some(s.clone())));
    let result = m
        .build()
        .cancel_booking(&actor(&[Role::Learner]), Uuid::now_v7(), None)
        .await;
    assert_eq!(result, Err(AppError::NotFound(Resource::Booking)));
}

#[tokio::test]
async fn cancelling_a_session_tells_and_refunds_every_booked_learner() {
    let mut m = Mocks::new();
    let mentor = actor(&[Role::Mentor]);
    let s = session(mentor.id(), 49900, 5, 2);
    let id = s.id;
    let mut paid = booking_in(&s, Uuid::now_v7(), BookingStatus::Cancelled);
    paid.payment_status = PaymentStatus::Refunded;
    paid.payment_reference = Some("sandbox_1".into());
    let other = booking_in(&s, Uuid::now_v7(), BookingStatus::Cancelled);
    let cancelled = vec![paid, other];
    let mentor_id = mentor.id();
    m.sessions
        .expect_by_id()
        .returning(move |_| Ok(Some(s.clone())));
    m.sessions
        .expect_cancel()
        .withf(move |sid, by, now, _| (*sid, *by, *now) == (id, mentor_id, NOW))
        .times(1)
        .returning(move |_, _, _, tell| {
            // The adapter writes these in the cancellation's transaction.
            let told: Vec<_> = cancelled.iter().flat_map(&tell).collect();
            assert_eq!(told.len(), 2, "every cancelled booking's learner is told");
            assert!(told.iter().all(|n| n.notification.kind
                == lyceum_domain::community::NotificationKind::SessionCancelled));
            Ok(cancelled.clone())
        });
    m.payments
        .expect_refund()
        .with(eq("sandbox_1"), mockall::predicate::always())
        .times(1)
        .returning(|_, _| Ok(()));
    m.notifications.expect_create().never();
    assert!(m.build().cancel_session(&mentor, id).await.is_ok());
}

#[tokio::test]
async fn reschedule_is_refused_to_another_mentors_session() {
    let mut m = Mocks::new();
    let learner = actor(&[Role::Learner]);
    let from = session(Uuid::now_v7(), 0, 5, 1);
    let target = session(Uuid::now_v7(), 0, 5, 0);
    let b = booking_in(&from, learner.id(), BookingStatus::Confirmed);
    let (fid, tid, bid) = (from.id, target.id, b.id);
    m.bookings
        .expect_by_id()
        .returning(move |_| Ok(Some(b.clone())));
    m.sessions.expect_by_id().returning(move |id| {
        Ok(Some(if id == fid {
            from.clone()
        } else {
            target.clone()
        }))
    });
    m.bookings.expect_reschedule().never();
    let result = m.build().reschedule_booking(&learner, bid, tid).await;
    assert!(matches!(
        result,
        Err(AppError::Mentoring(MentoringError::Booking(
            BookingError::OtherMentor
        )))
    ));
}

#[tokio::test]
async fn no_booking_moves_into_the_sessions_of_someone_who_no_longer_mentors() {
    let mut m = Mocks::new();
    let learner = actor(&[Role::Learner]);
    let mentor_id = Uuid::now_v7();
    let from = session(mentor_id, 0, 5, 1);
    let mut target = session(mentor_id, 0, 5, 0);
    target.starts_at += Duration::days(1);
    let b = booking_in(&from, learner.id(), BookingStatus::Confirmed);
    let (fid, tid, bid) = (from.id, target.id, b.id);
    m.bookings
        .expect_by_id()
        .returning(move |_| Ok(Some(b.clone())));
    m.sessions.expect_by_id().returning(move |id| {
        Ok(Some(if id == fid {
            from.clone()
        } else {
            target.clone()
        }))
    });
    accounts_hold(&mut m, &[Role::Learner]);
    m.bookings.expect_reschedule().never();
    assert_eq!(
        m.build().reschedule_booking(&learner, bid, tid).await,
        Err(MentoringError::MentorInactive.into())
    );
}

fn request(learner: Uuid, mentor: Uuid, status: RequestStatus) -> MentorshipRequest {
    MentorshipRequest {
        id: Uuid::now_v7(),
        learner_id: learner,
        mentor_id: mentor,
        subject: RequestSubject::parse("Career advice").unwrap(),
        message: RequestMessage::parse("Could we talk?").unwrap(),
        proposed_start: NOW + Duration::days(2),
        duration_minutes: 45,
        notes: None,
        status,
        response_message: None,
        session_id: None,
        created_at: NOW,
        updated_at: NOW,
    }
}

#[tokio::test]
async fn nobody_requests_themself() {
    let mut m = Mocks::new();
    m.requests.expect_create().never();
    let me = actor(&[Role::Mentor, Role::Learner]);
    let input = RequestInput {
        mentor_id: me.id(),
        subject: "Hi".into(),
        message: String::new(),
        proposed_start: NOW + Duration::days(1),
        duration_minutes: 60,
        notes: None,
    };
    let Err(AppError::Validation(errors)) = m.build().request_mentorship(&me, input).await else {
        panic!("expected 422")
    };
    let first = &errors.into_vec()[0];
    assert_eq!(
        (first.field.as_str(), first.violation),
        ("mentor_id", Violation::NotAllowed)
    );
}

#[tokio::test]
async fn accepting_creates_a_one_to_one_session_with_a_confirmed_booking() {
    let mut m = Mocks::new();
    let mentor = actor(&[Role::Mentor]);
    let r = request(Uuid::now_v7(), mentor.id(), RequestStatus::Pending);
    let (rid, learner) = (r.id, r.learner_id);
    let stored = r.clone();
    m.requests
        .expect_by_id()
        .returning(move |_| Ok(Some(r.clone())));
    m.requests
        .expect_accept()
        .withf(move |id, s, b, _, _, _| {
            *id == rid
                && s.capacity.seats() == 1
                && s.seats_taken == 1
                && s.duration.as_minutes() == 45
                && s.request_id == Some(rid)
                && b.learner_id == learner
                && b.session_id == s.id
                && b.status == BookingStatus::Confirmed
        })
        .times(1)
        .returning(move |_, s, _, _, _, _| {
            let mut accepted = stored.clone();
            accepted.status = RequestStatus::Accepted;
            accepted.session_id = Some(s.id);
            Ok(accepted)
        });
    m.notifications
        .expect_create()
        .withf(move |n, _| n.user_id == learner)
        .returning(|_, _| Ok(true));
    let accepted = m
        .build()
        .act_on_request(
            &mentor,
            rid,
            RequestAction::Accept {
                meeting_url: None,
                response_message: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(accepted.status, RequestStatus::Accepted);
}

#[tokio::test]
async fn only_the_mentor_accepts_and_only_from_pending() {
    let learner = actor(&[Role::Learner]);
    let mentor = actor(&[Role::Mentor]);
    let pending = request(learner.id(), mentor.id(), RequestStatus::Pending);
    let declined = request(learner.id(), mentor.id(), RequestStatus::Declined);
    let (pid, did) = (pending.id, declined.id);
    let mut m = Mocks::new();
    m.requests.expect_by_id().returning(move |id| {
        Ok(Some(if id == pid {
            pending.clone()
        } else {
            declined.clone()
        }))
    });
    m.requests.expect_accept().never();
    let app = m.build();
    let accept = || RequestAction::Accept {
        meeting_url: None,
        response_message: None,
    };
    assert_eq!(
        app.act_on_request(&learner, pid, accept()).await,
        Err(AppError::Forbidden)
    );
    let again = app.act_on_request(&mentor, did, accept()).await;
    assert!(matches!(
        again,
        Err(AppError::Mentoring(MentoringError::Request(
            RequestError::InvalidTransition { .. }
        )))
    ));
    let outsider = app
        .act_on_request(&actor(&[Role::Mentor]), pid, accept())
        .await;
    assert_eq!(
        outsider,
        Err(AppError::NotFound(Resource::MentorshipRequest))
    );
}

#[tokio::test]
async fn accepting_a_request_that_overlaps_the_mentors_session_is_refused() {
    let mentor = actor(&[Role::Mentor]);
    let r = request(Uuid::now_v7(), mentor.id(), RequestStatus::Pending);
    let (rid, busy) = (r.id, Uuid::now_v7());
    let mut m = Mocks::new();
    m.requests
        .expect_by_id()
        .returning(move |_| Ok(Some(r.clone())));
    m.requests
        .expect_accept()
        .times(1)
        .returning(move |_, _, _, _, _, _| {
            Err(RepoError::Conflict(Conflict::MentorBusy {
                session_id: busy,
            }))
        });
    m.notifications.expect_create().never();
    let result = m
        .build()
        .act_on_request(
            &mentor,
            rid,
            RequestAction::Accept {
                meeting_url: None,
                response_message: None,
            },
        )
        .await;
    assert_eq!(
        result,
        Err(AppError::Mentoring(MentoringError::Session(
            SessionError::Overlaps { session_id: busy }
        )))
    );
}

#[tokio::test]
async fn a_former_mentor_accepts_no_request_but_may_decline_it() {
    let former = actor(&[Role::Learner]);
    let r = request(Uuid::now_v7(), former.id(), RequestStatus::Pending);
    let rid = r.id;
    let declined = {
        let mut d = r.clone();
        d.status = RequestStatus::Declined;
        d
    };
    let mut m = Mocks::new();
    m.requests
        .expect_by_id()
        .returning(move |_| Ok(Some(r.clone())));
    m.requests.expect_accept().never();
    m.requests
        .expect_transition()
        .times(1)
        .returning(move |_, _, _, _, _, _| Ok(declined.clone()));
    m.notifications.expect_create().returning(|_, _| Ok(true));
    let app = m.build();
    let accept = RequestAction::Accept {
        meeting_url: None,
        response_message: None,
    };
    assert_eq!(
        app.act_on_request(&former, rid, accept).await,
        Err(MentoringError::MentorRoleRequired.into())
    );
    let decline = RequestAction::Decline {
        response_message: "I no longer mentor".into(),
    };
    assert!(app.act_on_request(&former, rid, decline).await.is_ok());
}

#[tokio::test]
async fn requests_go_only_to_accounts_that_mentor() {
    for (roles, sent) in [
        (&[Role::Mentor][..], true),
        (&[Role::Learner][..], false),
        (&[Role::Admin][..], false),
    ] {
        let mut m = Mocks::new();
        m.users.expect_by_id().returning(move |id| {
            let mut account = user(roles);
            account.id = id;
            Ok(Some(account))
        });
        m.requests
            .expect_create()
            .withf(|r, outbox| {
                matches!(&outbox.notices[..], [n] if n.notification.user_id == r.mentor_id)
            })
            .times(usize::from(sent))
            .returning(|r, _| Ok(r));
        m.notifications.expect_create().never();
        let input = RequestInput {
            mentor_id: Uuid::now_v7(),
            subject: "Career advice".into(),
            message: String::new(),
            proposed_start: NOW + Duration::days(1),
            duration_minutes: 60,
            notes: None,
        };
        // Any account may ask, an admin without other roles included.
        let result = m
            .build()
            .request_mentorship(&actor(&[Role::Admin]), input)
            .await;
        if sent {
            assert!(result.is_ok(), "{result:?}");
        } else {
            assert_eq!(
                result,
                Err(AppError::NotFound(Resource::Mentor)),
                "{roles:?}"
            );
        }
    }
}

#[tokio::test]
async fn declining_needs_a_response_message() {
    let mentor = actor(&[Role::Mentor]);
    let r = request(Uuid::now_v7(), mentor.id(), RequestStatus::Pending);
    let rid = r.id;
    let mut m = Mocks::new();
    m.requests
        .expect_by_id()
        .returning(move |_| Ok(Some(r.clone())));
    m.requests.expect_transition().never();
    let result = m
        .build()
        .act_on_request(
            &mentor,
            rid,
            RequestAction::Decline {
                response_message: "  ".into(),
            },
        )
        .await;
    let Err(AppError::Validation(errors)) = result else {
        panic!("expected 422, got {result:?}")
    };
    let first = &errors.into_vec()[0];
    assert_eq!(
        (first.field.as_str(), first.violation),
        ("response_message", Violation::Required)
    );
}

#[tokio::test]
async fn strangers_cannot_message_each_other() {
    let mut m = Mocks::new();
    let me = actor(&[Role::Learner]);
    let other = actor(&[Role::Mentor]).user;
    let oid = other.id;
    m.users
        .expect_by_id()
        .returning(move |_| Ok(Some(other.clone())));
    m.messages
        .expect_share_mentoring()
        .with(eq(me.id()), eq(oid))
        .returning(|_, _| Ok(false));
    m.messages.expect_send().never();
    assert_eq!(
        m.build()
            .send_message(&me, oid, MessageBody::parse("hello").unwrap())
            .await,
        Err(AppError::Forbidden)
    );
}

fn feedback_input(score: i64) -> FeedbackInput {
    FeedbackInput {
        mentor_rating: score,
        session_rating: 5,
        content_quality: 5,
        communication: 5,
        helpfulness: 5,
        platform_rating: 5,
        overall_experience: 5,
        would_recommend: true,
        comments: None,
        improvement_suggestions: None,
        is_public: true,
    }
}

#[tokio::test]
async fn feedback_waits_for_completion_and_scores_are_one_to_five() {
    let learner = actor(&[Role::Learner]);
    let s = session(Uuid::now_v7(), 0, 5, 1);
    let b = booking_in(&s, learner.id(), BookingStatus::Confirmed);
    let bid = b.id;
    let mut m = Mocks::new();
    m.bookings
        .expect_by_id()
        .returning(move |_| Ok(Some(b.clone())));
    m.sessions
        .expect_by_id()
        .returning(move |_| Ok(Some(s.clone())));
    m.feedbacks.expect_leave().never();
    let app = m.build();
    let early = app.leave_feedback(&learner, bid, feedback_input(5)).await;
    assert!(matches!(
        early,
        Err(AppError::Mentoring(MentoringError::FeedbackNotOpen))
    ));
    let Err(AppError::Validation(errors)) =
        app.leave_feedback(&learner, bid, feedback_input(6)).await
    else {
        panic!("expected 422")
    };
    let first = &errors.into_vec()[0];
    assert_eq!(
        (first.field.as_str(), first.violation),
        ("mentor_rating", Violation::OutOfRange)
    );
}

#[tokio::test]
async fn reminders_are_deduplicated_by_booking_and_once_per_session_for_the_mentor() {
    let mut m = Mocks::new();
    let s = session(Uuid::now_v7(), 0, 5, 2);
    let (first, second) = (
        booking_in(&s, Uuid::now_v7(), BookingStatus::Confirmed),
        booking_in(&s, Uuid::now_v7(), BookingStatus::Confirmed),
    );
    let already_sent = format!("reminder_24h:{}", first.id);
    m.bookings
        .expect_expire_holds()
        .returning(|_, _| Ok(vec![]));
    m.sessions.expect_start_due().returning(|_| Ok(vec![]));
    m.sessions.expect_complete_due().returning(|_| Ok(vec![]));
    m.idempotency_keys
        .expect_purge_expired()
        .with(eq(NOW))
        .times(1)
        .returning(|_| Ok(3));
    m.bookings
        .expect_starting_within()
        .returning(move |_, from, _| {
            Ok(if from == Duration::hours(1) {
                vec![(first.clone(), s.clone()), (second.clone(), s.clone())]
            } else {
                vec![]
            })
        });
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let record = seen.clone();
    m.notifications
        .expect_create()
        .times(3)
        .returning(move |_, key| {
            let key = key.unwrap_or_default();
            record.lock().unwrap().push(key.clone());
            // The first learner's reminder was already sent by another runner.
            Ok(key != already_sent)
        });
    let report = m.build().run_jobs().await.unwrap();
    let mut sent_keys = seen.lock().unwrap().clone();
    sent_keys.sort();
    assert_eq!(
        sent_keys.len(),
        3,
        "two learners and the mentor once: {sent_keys:?}"
    );
    assert!(sent_keys.iter().all(|k| k.starts_with("reminder_24h:")));
    assert_eq!(
        report.reminders_sent, 2,
        "an already-sent reminder is not counted again"
    );
    assert_eq!(report.idempotency_keys_purged, 3);
}

#[tokio::test]
async fn a_mentor_without_published_availability_has_none_to_show() {
    let mut m = Mocks::new();
    m.availability.expect_of_mentor().returning(|_| Ok(None));
    assert_eq!(
        m.build().mentor_availability(Uuid::now_v7()).await,
        Err(AppError::NotFound(Resource::Availability))
    );
}

#[tokio::test]
async fn a_calendar_feed_is_minted_for_the_caller_and_only_its_digest_stored() {
    let me = actor(&[Role::Learner]);
    let mut mocks = Mocks::new();
    mocks
        .calendar_feeds
        .expect_replace()
        .with(eq(me.id()), eq("digest".to_owned()), eq(NOW))
        .times(1)
        .returning(|_, _, _| Ok(()));
    let issued = mocks.build().rotate_calendar_feed(&me).await.unwrap();
    assert_eq!(
        issued,
        IssuedCalendarFeed {
            token: "plain-secret".into(),
            created_at: NOW
        }
    );

    let mut mocks = Mocks::new();
    mocks
        .calendar_feeds
        .expect_revoke()
        .with(eq(me.id()))
        .times(1)
        .returning(|_| Ok(()));
    mocks.build().revoke_calendar_feed(&me).await.unwrap();
}

#[tokio::test]
async fn a_calendar_feed_token_shows_its_owners_upcoming_sessions() {
    let owner = crate::test_support::user(&[Role::Mentor]);
    let owned = session(owner.id, 0, 3, 1);
    let mut mocks = Mocks::new();
    mocks
        .calendar_feeds
        .expect_owner()
        .with(eq("digest-of-the-token"))
        .returning(move |_| Ok(Some(owner.id)));
    let found = owner.clone();
    mocks
        .users
        .expect_by_id()
        .with(eq(owner.id))
        .returning(move |_| Ok(Some(found.clone())));
    let listed = vec![owned.clone()];
    mocks
        .sessions
        .expect_upcoming_for_user()
        .with(eq(owner.id), eq(NOW), eq(500))
        .times(1)
        .returning(move |_, _, _| Ok(listed.clone()));
    let sessions = mocks.build().calendar_feed("the-token").await.unwrap();
    assert_eq!(sessions, vec![owned]);
}

#[tokio::test]
async fn a_calendar_feed_that_opens_nothing_live_is_not_found() {
    let missing = AppError::NotFound(Resource::CalendarFeed);
    let mut mocks = Mocks::new();
    mocks.calendar_feeds.expect_owner().returning(|_| Ok(None));
    mocks.sessions.expect_upcoming_for_user().never();
    assert_eq!(
        mocks.build().calendar_feed("revoked").await,
        Err(missing.clone())
    );

    let mut banned = crate::test_support::user(&[Role::Learner]);
    banned.ban = Some(lyceum_domain::identity::Ban {
        reason: "spam".into(),
        expires_at: None,
    });
    let mut deleted = crate::test_support::user(&[Role::Learner]);
    deleted.deleted_at = Some(NOW);
    let mut deactivated = crate::test_support::user(&[Role::Learner]);
    deactivated.is_active = false;
    for owner in [banned, deleted, deactivated] {
        let mut mocks = Mocks::new();
        let id = owner.id;
        mocks
            .calendar_feeds
            .expect_owner()
            .returning(move |_| Ok(Some(id)));
        mocks
            .users
            .expect_by_id()
            .returning(move |_| Ok(Some(owner.clone())));
        mocks.sessions.expect_upcoming_for_user().never();
        assert_eq!(
            mocks.build().calendar_feed("token").await,
            Err(missing.clone())
        );
    }
}
