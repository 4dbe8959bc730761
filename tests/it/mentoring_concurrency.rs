//! Seats and mentors' time under truly concurrent requests, on SQLite and PostgreSQL: the
//! database guards capacity and overlaps, not only the code.

use std::sync::Arc;

use lyceum_e2e::{TestDb, on_each_backend, spawn_app};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn a_hundred_simultaneous_bookings_take_exactly_the_five_seats() {
    on_each_backend(|db: TestDb| async move {
        let app = Arc::new(spawn_app(&db).await);
        let (_, mentor, _) = app.signed_up("mentor_rush", "mentor").await;
        let session = app.create_session(&mentor, 0, 5, 24).await["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let mut learners = Vec::new();
        for i in 0..100 {
            learners.push(app.signed_up(&format!("rush_{i:05}"), "learner").await.1);
        }
        let tasks: Vec<_> = learners
            .into_iter()
            .map(|token| {
                let (app, session) = (app.clone(), session.clone());
                tokio::spawn(async move { app.book(&token, &session).await })
            })
            .collect();
        let (mut booked, mut full) = (0, 0);
        for task in tasks {
            let answer = task.await.unwrap();
            match (answer.status, answer.code()) {
                (StatusCode::CREATED, _) => booked += 1,
                (StatusCode::CONFLICT, "booking.session_full") => full += 1,
                other => panic!("unexpected {other:?}: {:?}", answer.body),
            }
        }
        assert_eq!((booked, full), (5, 95));
        let view = app
            .get(&format!("/api/v1/mentoring-sessions/{session}"), None)
            .await;
        assert_eq!(
            (
                view.body["seats_taken"].as_i64(),
                view.body["seats_left"].as_i64()
            ),
            (Some(5), Some(0))
        );
        let roster = app
            .get(
                &format!("/api/v1/mentoring-sessions/{session}/bookings?limit=100"),
                Some(&mentor),
            )
            .await;
        assert_eq!(
            roster.body["items"].as_array().unwrap().len(),
            5,
            "seat counter equals bookings"
        );
        Arc::try_unwrap(app).ok().expect("sole owner").stop().await;
    })
    .await;
}

#[tokio::test]
async fn twenty_simultaneous_reschedules_into_one_free_seat_move_exactly_one() {
    on_each_backend(|db: TestDb| async move {
        let app = Arc::new(spawn_app(&db).await);
        let (_, mentor, _) = app.signed_up("mentor_shift", "mentor").await;
        let target = app.create_session(&mentor, 0, 1, 48).await["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let mut moves = Vec::new();
        for i in 0..20 {
            let from = app.create_session(&mentor, 0, 1, 24 + i).await["id"]
                .as_str()
                .unwrap()
                .to_owned();
            let learner = app.signed_up(&format!("shift_{i:05}"), "learner").await.1;
            let booking = app.book(&learner, &from).await.body["id"]
                .as_str()
                .unwrap()
                .to_owned();
            moves.push((learner, booking, from));
        }
        let tasks: Vec<_> = moves
            .iter()
            .cloned()
            .map(|(learner, booking, _)| {
                let (app, target) = (app.clone(), target.clone());
                tokio::spawn(async move {
                    app.post(
                        &format!("/api/v1/bookings/{booking}/reschedule"),
                        Some(&learner),
                        json!({"target_session_id": target}),
                    )
                    .await
                })
            })
            .collect();
        let (mut moved, mut full) = (0, 0);
        for task in tasks {
            let answer = task.await.unwrap();
            match (answer.status, answer.code()) {
                (StatusCode::OK, _) => moved += 1,
                (StatusCode::CONFLICT, "booking.session_full") => full += 1,
                other => panic!("unexpected {other:?}: {:?}", answer.body),
            }
        }
        assert_eq!((moved, full), (1, 19));
        assert_eq!(
            app.get(&format!("/api/v1/mentoring-sessions/{target}"), None)
                .await
                .body["seats_taken"],
            1
        );
        let mut stayed = 0;
        for (learner, booking, from) in &moves {
            let b = app
                .get(&format!("/api/v1/bookings/{booking}"), Some(learner))
                .await;
            let seats = app
                .get(&format!("/api/v1/mentoring-sessions/{from}"), None)
                .await
                .body["seats_taken"]
                .as_i64()
                .unwrap();
            if b.body["session_id"] == from.as_str() {
                stayed += 1;
                assert_eq!(seats, 1, "a booking that did not move keeps its seat");
            } else {
                assert_eq!(seats, 0, "the moved booking released its old seat");
            }
        }
        assert_eq!(stayed, 19);
        Arc::try_unwrap(app).ok().expect("sole owner").stop().await;
    })
    .await;
}

#[tokio::test]
async fn a_booking_retried_with_its_idempotency_key_takes_one_seat() {
    on_each_backend(|db: TestDb| async move {
        let app = spawn_app(&db).await;
        let (_, mentor, _) = app.signed_up("mentor_idem", "mentor").await;
        let (_, learner, _) = app.signed_up("learner_idem", "learner").await;
        let session = app.create_session(&mentor, 0, 1, 24).await["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let path = format!("/api/v1/mentoring-sessions/{session}/bookings");
        let key = [("Idempotency-Key", "seat-for-learner-idem")];
        let first = app
            .send(
                reqwest::Method::POST,
                &path,
                Some(&learner),
                Some(json!({})),
                &key,
            )
            .await;
        let retry = app
            .send(
                reqwest::Method::POST,
                &path,
                Some(&learner),
                Some(json!({})),
                &key,
            )
            .await;
        assert_eq!(
            (first.status, retry.status),
            (StatusCode::CREATED, StatusCode::CREATED),
            "{:?}",
            retry.body
        );
        assert_eq!(first.body["id"], retry.body["id"], "the same booking again");
        assert_eq!(retry.header("idempotent-replayed"), Some("true"));
        assert_eq!(
            app.get(&format!("/api/v1/mentoring-sessions/{session}"), None)
                .await
                .body["seats_taken"],
            1
        );
        app.stop().await;
    })
    .await;
}

#[tokio::test]
async fn two_job_runners_on_one_database_do_each_job_once() {
    on_each_backend(|db: TestDb| async move {
        let app = spawn_app(&db).await;
        let (_, mentor, _) = app.signed_up("mentor_jobs", "mentor").await;
        let (_, learner, _) = app.signed_up("learner_jobs", "learner").await;
        let done = app.create_session(&mentor, 0, 2, 24).await["id"]
            .as_str()
            .unwrap()
            .to_owned();
        // Two hours after `done`: a mentor is never in two sessions at once.
        let paid = app.create_session(&mentor, 50000, 2, 26).await["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let soon = app.create_session(&mentor, 0, 2, 72).await["id"]
            .as_str()
            .unwrap()
            .to_owned();
        app.book(&learner, &done).await;
        let hold = app.book(&learner, &paid).await.body["id"]
            .as_str()
            .unwrap()
            .to_owned();
        app.book(&learner, &soon).await;
        app.move_session_into_the_past(&done).await;
        app.expire_hold(&hold).await;
        app.move_session_start(&soon, 20 * 60, 60).await;

        // Two independently wired applications with their own pools, like two processes.
        let (one, two) = (app.lyceum().await, app.lyceum().await);
        let (a, b) = tokio::join!(one.run_jobs(), two.run_jobs());
        let (a, b) = (a.unwrap(), b.unwrap());
        assert_eq!(a.sessions_completed + b.sessions_completed, 1);
        assert_eq!(a.holds_expired + b.holds_expired, 1);
        assert_eq!(
            a.reminders_sent + b.reminders_sent,
            2,
            "the 24 h reminder, once to the learner and once to the mentor"
        );
        let again = one.run_jobs().await.unwrap();
        assert_eq!(
            (
                again.sessions_completed,
                again.holds_expired,
                again.reminders_sent
            ),
            (0, 0, 0)
        );
        assert_eq!(
            app.get(&format!("/api/v1/mentoring-sessions/{paid}"), None)
                .await
                .body["seats_taken"],
            0
        );
        app.stop().await;
    })
    .await;
}

#[tokio::test]
async fn twenty_simultaneous_overlapping_writes_give_a_mentor_the_hour_once() {
    on_each_backend(|db: TestDb| async move {
        let app = Arc::new(spawn_app(&db).await);
        let (mentor_id, mentor, _) = app.signed_up("mentor_hour", "mentor").await;
        // Five learners wait with requests for the hour; fifteen creates aim at it too,
        // each starting a few minutes apart so that every two of the twenty overlap.
        let mut requests = Vec::new();
        for i in 0..5 {
            let learner = app.signed_up(&format!("hour_{i:05}"), "learner").await.1;
            let asked = app
                .post(
                    "/api/v1/mentorship-requests",
                    Some(&learner),
                    json!({"mentor_id": mentor_id, "subject": "Career advice", "message": "Can we talk?", "duration_minutes": 60,
                           "proposed_start": format!("2030-01-07T15:{:02}:00Z", 2 * i)}),
                )
                .await;
            assert_eq!(asked.status, StatusCode::CREATED, "{:?}", asked.body);
            requests.push(asked.body["id"].as_str().unwrap().to_owned());
        }
        let mut tasks = Vec::new();
        for i in 0..15 {
            let (app, mentor) = (app.clone(), mentor.clone());
            tasks.push(tokio::spawn(async move {
                let starts_at = format!("2030-01-07T15:{:02}:00Z", 10 + 2 * i);
                app.post(
                    "/api/v1/mentoring-sessions",
                    Some(&mentor),
                    json!({"title": "Office hour", "duration_minutes": 60, "capacity": 5,
                           "price": {"amount_minor": 0, "currency": "INR"}, "starts_at": starts_at}),
                )
                .await
            }));
        }
        for id in requests {
            let (app, mentor) = (app.clone(), mentor.clone());
            tasks.push(tokio::spawn(async move {
                app.post(
                    &format!("/api/v1/mentorship-requests/{id}/accept"),
                    Some(&mentor),
                    json!({}),
                )
                .await
            }));
        }
        let (mut won, mut named) = (Vec::new(), Vec::new());
        for task in tasks {
            let answer = task.await.unwrap();
            match (answer.status, answer.code()) {
                (StatusCode::CREATED, _) => won.push(answer.body["id"].as_str().unwrap().to_owned()),
                (StatusCode::OK, _) => won.push(answer.body["session_id"].as_str().unwrap().to_owned()),
                (StatusCode::CONFLICT, "session.overlaps") => named.push(
                    answer.body["conflicting_session_id"].as_str().unwrap().to_owned(),
                ),
                other => panic!("unexpected {other:?}: {:?}", answer.body),
            }
        }
        assert_eq!((won.len(), named.len()), (1, 19), "exactly one write takes the hour");
        assert!(
            named.iter().all(|id| *id == won[0]),
            "every refusal names the session that won: {won:?} {named:?}"
        );
        let listed = app
            .get(
                &format!("/api/v1/mentoring-sessions?mentor={mentor_id}&limit=100"),
                None,
            )
            .await;
        let ids: Vec<&str> = listed.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, [won[0].as_str()], "one session in the mentor's calendar");
        Arc::try_unwrap(app).ok().expect("sole owner").stop().await;
    })
    .await;
}
